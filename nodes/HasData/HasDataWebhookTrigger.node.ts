import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { isFinal } from '../shared/job';
import type { CanonicalJob } from '../shared/job';
import { withFields } from '../shared/jobOperations';
import { outcomeFieldFor, outcomeSubtitle } from '../shared/descriptions';
import { matchesOutcome } from '../shared/trigger';
import type { OutcomeFilter } from '../shared/trigger';
import { recordInExecution, WebhookOnce } from '../shared/webhookOnce';
import { hasDataStatus, readHasDataJob } from './hasData.adapter';
import { callbackSecretFields, hasCallbackSecret, readCallbackSecret, rejectCallback } from './hasData.callbackSecret';
import { hasDataApiTest } from './hasData.credentialTest';

const FINISHED_EVENT = 'scraper.job.finished';

/** One memory per trigger node of a workflow. */
function triggerKey(ctx: IWebhookFunctions | IExecuteFunctions): string {
	const node = ctx.getNode();
	return `${String(ctx.getWorkflow().id ?? '')}:${node.id ?? node.name}`;
}

/** Job ids arrive as integers or strings ("7001" and 7001 are one job). */
function jobIdOf(body: IDataObject): string {
	return String(body.jobId ?? body.id ?? '').trim();
}

/**
 * Started by HasData's own webhook call instead of polling. HasData calls the
 * URL given when the job was started (per job, there is no account-wide
 * webhook to register), repeats a finished call, and retries a call that was
 * not answered 2xx up to 3 times. Each job starts the workflow exactly once:
 * see shared/webhookOnce.ts for how that holds in real n8n and across restarts.
 */
export class HasDataWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HasData Webhook Trigger',
		name: 'hasDataWebhookTrigger',
		icon: { light: 'file:../../icons/hasData.svg', dark: 'file:../../icons/hasData.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: outcomeSubtitle,
		description: 'Starts the workflow when HasData calls its webhook to say a scraper job finished',
		defaults: { name: 'HasData Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hasDataApi', required: true, testedBy: 'hasDataApiTest', displayOptions: { show: { fetchJob: [true] } } }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'hasdata' }],
		properties: [
			{
				displayName:
					'Copy this node\'s Production URL into the "Webhook URL" option of the HasData node\'s Start (or Rerun) operation, with the event "Job Finished", and set the same Secret Header Name and Secret Value there: calls without that header are refused with HTTP 401. Each job starts the workflow once, however often HasData repeats its call. n8n must be reachable from the internet; if it is not, use the polling HasData Trigger instead.',
				name: 'webhookNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Fetch Job',
				name: 'fetchJob',
				type: 'boolean',
				default: true,
				description:
					'Whether to read the job from the HasData API and output the full job (row count, credits, file links) instead of only what the webhook call says',
			},
			outcomeFieldFor('job'),
			...callbackSecretFields(),
		],
	};

	// HasData has no account-wide webhook to register: the URL travels with each job
	// (Start's "Webhook URL" option), so activating this node registers nothing.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	methods = { credentialTest: { hasDataApiTest } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const secret = readCallbackSecret(this.getNode(), this.getNodeParameter('callbackHeaderName', ''), this.getNodeParameter('secretValue', ''));
		if (!hasCallbackSecret(secret, this.getHeaderData() as IDataObject)) return rejectCallback(this, secret!);

		const body = (this.getBodyData() ?? {}) as IDataObject;
		const event = String(body.event ?? '');
		const jobId = jobIdOf(body);
		// Other events (started, data scraped) are acknowledged so HasData does not retry them.
		if (event !== FINISHED_EVENT) return { webhookResponse: { received: true, ignored: `event "${event || 'none'}" does not start this workflow` } };
		if (!jobId) return { webhookResponse: { received: true, ignored: 'the call named no jobId' } };

		if (this.getMode() === 'manual') {
			// "Listen for test event": every call shows, nothing is remembered.
			const json = await jobItem(this, jobId, event, body);
			return { workflowData: [[{ json }]] };
		}

		const once = new WebhookOnce(triggerKey(this), this.getWorkflowStaticData('node'));
		if (!once.claim(jobId)) {
			// Saved by n8n (this call starts nothing): keeps the record complete.
			once.persistRecent();
			return { webhookResponse: { received: true, duplicate: true, jobId } };
		}
		let json: IDataObject | undefined;
		try {
			json = await jobItem(this, jobId, event, body);
		} finally {
			// Unclaimed when the read failed: the error answers HasData with a 5xx, and its retry may fire.
			if (!json) once.release(jobId);
		}
		if (!json.done) {
			// HasData said finished, its API does not (yet): answer so that HasData
			// retries, and remember nothing, so the retry can fire.
			once.release(jobId);
			const res = this.getResponseObject();
			res.setHeader('Retry-After', '30');
			res.status(503).json({ received: true, retry: true, jobId, reason: `the HasData API still reports the job as "${String(json.providerStatus)}"` });
			return { noWebhookResponse: true };
		}
		const outcome = this.getNodeParameter('outcome', 'any') as OutcomeFilter;
		once.done(jobId);
		if (!matchesOutcome(json.status as never, outcome)) {
			once.persistRecent();
			return { webhookResponse: { received: true, ignored: `job ended with status "${String(json.status)}"`, jobId } };
		}
		return { workflowData: [[{ json }]] };
	}

	/**
	 * Runs inside the execution the webhook started, with its items (n8n calls a
	 * webhook node's execute() there): records the jobs in static data, which n8n
	 * saves when the execution ends — the record that survives a restart.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		if (this.getMode() !== 'manual') {
			const ids = items.map((item) => String(item.json.id ?? '')).filter(Boolean);
			recordInExecution(triggerKey(this), this.getWorkflowStaticData('node'), ids);
		}
		return [items];
	}
}

/** The job as the workflow gets it: read from the API (Fetch Job), or as the call says. */
async function jobItem(ctx: IWebhookFunctions, jobId: string, event: string, body: IDataObject): Promise<IDataObject> {
	const fetchJob = ctx.getNodeParameter('fetchJob', true) as boolean;
	if (fetchJob) {
		let job: CanonicalJob;
		try {
			job = await readHasDataJob(ctx, jobId);
		} catch (error) {
			throw error instanceof NodeApiError || error instanceof NodeOperationError
				? error
				: new NodeOperationError(ctx.getNode(), `Could not read HasData job ${jobId}: ${(error as Error).message}`);
		}
		return withFields(job, { event, webhook: body });
	}
	const status = hasDataStatus(body.jobStatus);
	return {
		id: jobId,
		provider: 'hasData',
		status,
		providerStatus: body.jobStatus === undefined ? null : String(body.jobStatus),
		done: isFinal(status),
		event,
		timestamp: body.timestamp ?? null,
		webhook: body,
	};
}
