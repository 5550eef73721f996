import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { isFinal } from '../shared/job';
import type { CanonicalJob } from '../shared/job';
import { withFields } from '../shared/jobOperations';
import { outcomeFieldFor, outcomeSubtitle } from '../shared/descriptions';
import { FiredJobs, matchesOutcome } from '../shared/trigger';
import type { OutcomeFilter } from '../shared/trigger';
import { hasDataStatus, readHasDataJob } from './hasData.adapter';
import { hasDataApiTest } from './hasData.credentialTest';

const FINISHED_EVENT = 'scraper.job.finished';

/**
 * Started by HasData's own webhook call instead of polling. HasData calls the
 * URL given when the job was started (per job, there is no account-wide
 * webhook to register) and retries a call up to 3 times, so each job fires
 * once: the jobs that fired are remembered in the workflow's static data.
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
					'Copy this node\'s Production URL into the "Webhook URL" option of the HasData node\'s Start (or Rerun) operation, with the event "Job Finished". n8n must be reachable from the internet; if it is not, use the polling HasData Trigger instead.',
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
		const body = (this.getBodyData() ?? {}) as IDataObject;
		const event = String(body.event ?? '');
		const jobId = String(body.jobId ?? body.id ?? '').trim();
		// Other events (started, data scraped) are acknowledged so HasData does not retry them.
		if (event !== FINISHED_EVENT) return { webhookResponse: { received: true, ignored: `event "${event || 'none'}" does not start this workflow` } };
		if (!jobId) return { webhookResponse: { received: true, ignored: 'the call named no jobId' } };

		const manual = this.getMode() === 'manual';
		const fired = new FiredJobs(this.getWorkflowStaticData('node'));
		if (!manual && fired.has(jobId)) return { webhookResponse: { received: true, duplicate: true, jobId } };
		// Marked before the job is fetched, so a retry arriving meanwhile does not fire twice.
		if (!manual) fired.add(jobId);

		const fetchJob = this.getNodeParameter('fetchJob', true) as boolean;
		const outcome = this.getNodeParameter('outcome', 'any') as OutcomeFilter;
		let json: IDataObject;
		if (fetchJob) {
			let failure: Error | undefined;
			let job: CanonicalJob | undefined;
			try {
				job = await readHasDataJob(this, jobId);
			} catch (error) {
				failure = error as Error;
			}
			if (!job) {
				// Forget the job again: the error answers HasData with a 5xx, and its retry should fire.
				if (!manual) fired.remove(jobId);
				throw failure instanceof NodeApiError || failure instanceof NodeOperationError
					? failure
					: new NodeOperationError(this.getNode(), `Could not read HasData job ${jobId}: ${failure?.message}`);
			}
			json = withFields(job, { event, webhook: body });
		} else {
			const status = hasDataStatus(body.jobStatus);
			json = {
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
		if (!matchesOutcome(json.status as never, outcome)) {
			return { webhookResponse: { received: true, ignored: `job ended with status "${String(json.status)}"`, jobId } };
		}
		return { workflowData: [[{ json }]] };
	}
}

