/**
 * "Wait for Completion → Until HasData Calls Back" on Start and Rerun: the job
 * is started with its webhook pointing at this execution's resume address, and
 * the execution is parked until HasData reports `scraper.job.finished`
 * (see nodes/shared/callbackWait.ts for how the parking works).
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { callbackAddress, callbackWait } from '../shared/callbackWait';
import { readHasDataJob, readWebhook } from './hasData.adapter';

/** HasData sends the job's `webhook.headers` back with every call: this one proves the call is ours. */
export const CALLBACK_HEADER = 'X-Async-Jobs-Callback-Token';

export const hasDataCallbackWait = callbackWait({
	headerName: CALLBACK_HEADER,
	timeoutParameter: 'callbackTimeout',
	// Called lazily: hasData.adapter imports this file, so its exports are not ready at load time.
	read: (ctx, id, itemIndex) => readHasDataJob(ctx, id, itemIndex),
	jobIdOf: (body) => (body.jobId === undefined || body.jobId === null ? undefined : String(body.jobId)),
});

function waitsForCallback(ctx: IExecuteFunctions, itemIndex: number): boolean {
	return ctx.getNodeParameter('waitForCompletion', itemIndex, false) === true && ctx.getNodeParameter('waitMethod', itemIndex, 'poll') === 'callback';
}

/**
 * The `webhook` to start a job with: the resume address when the item waits for
 * HasData's callback, else the user's own webhook (if any). A job has one
 * webhook, so the two cannot be combined.
 */
export function jobWebhook(ctx: IExecuteFunctions, itemIndex: number): { webhook?: IDataObject; callbackToken?: string } {
	const own = readWebhook(ctx, itemIndex);
	if (!waitsForCallback(ctx, itemIndex)) return { webhook: own };
	if (own) {
		throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex} sets a Webhook URL and waits for HasData's callback: a job has only one webhook`, {
			itemIndex,
			description: 'Remove the Webhook option, or set "Wait Method" to "Check Regularly".',
		});
	}
	const address = callbackAddress(ctx, itemIndex, CALLBACK_HEADER);
	return {
		webhook: { url: address.url, events: ['scraper.job.finished'], headers: { [CALLBACK_HEADER]: address.token } },
		callbackToken: address.token,
	};
}
