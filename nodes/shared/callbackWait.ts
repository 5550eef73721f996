/**
 * Waiting for jobs by letting the provider call back, with the execution parked
 * in n8n's database meanwhile (no worker held, no polling, survives restarts).
 *
 * How n8n makes this possible (same in 1.x and 2.x):
 * - `putExecutionToWait(date)` parks the execution after this node returns.
 *   n8n keeps the node's input items with the parked execution.
 * - `$execution.resumeUrl` is the parked execution's own URL (with n8n's resume
 *   token in 2.x). A POST to it runs this node's `webhook()`: returning
 *   `workflowData` resumes the execution with those items as this node's output;
 *   returning none keeps it parked.
 * - If nobody calls before the date, n8n resumes the execution without running
 *   this node again: its input items are passed on as its output.
 *
 * So at parking time each started job is written into the node's input item
 * (with the callback token and `timedOut: true`): `webhook()` reads the jobs
 * from there, and if the timeout passes first, the jobs flow on marked as
 * timed out. A callback is only a wake-up call: every job is read again from
 * the API, and the execution resumes only when all of them are final.
 */
import { NodeOperationError, randomString } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { CanonicalJob } from './job';
import type { JobReader, ParkingWait } from './jobOperations';

/** Where the provider must call, and the token it must send back in `headerName`. */
export interface CallbackAddress {
	url: string;
	headerName: string;
	token: string;
}

export interface CallbackWaitOptions {
	/** The header the provider sends back (set on the job when it is started). */
	headerName: string;
	/** The parameter that holds the timeout, in hours. */
	timeoutParameter: string;
	read: JobReader;
	/** The job id a callback is about, from its body, if it says. */
	jobIdOf(body: IDataObject): string | undefined;
}

/** A late callback is only waited for this long once every job is final (see `webhook`). */
const LAST_CALLBACK_GRACE_MS = 60_000;

/** The resume address of this execution, to give the provider when starting a job. */
export function callbackAddress(ctx: IExecuteFunctions, itemIndex: number, headerName: string): CallbackAddress {
	const url = String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', itemIndex) ?? '');
	if (!/^https?:\/\//.test(url)) {
		throw new NodeOperationError(ctx.getNode(), 'n8n did not give this execution a resume address, so the provider cannot call back', {
			itemIndex,
			description: 'Set n8n\'s WEBHOOK_URL to the address the provider can reach, or choose "Check Regularly" instead.',
		});
	}
	return { url, headerName, token: randomString(32) };
}

export function callbackWait(options: CallbackWaitOptions) {
	const parking: ParkingWait = {
		chosen: (ctx, itemIndex) => ctx.getNodeParameter('waitMethod', itemIndex, 'poll') === 'callback',
		async park(ctx, started, results) {
			const hours = Number(ctx.getNodeParameter(options.timeoutParameter, started[0].itemIndex, 24));
			if (!Number.isFinite(hours) || hours <= 0) {
				throw new NodeOperationError(ctx.getNode(), 'The parameter "Callback Timeout (Hours)" must be a number greater than 0');
			}
			const input = ctx.getInputData();
			const waitStartedAt = new Date().toISOString();
			for (const { itemIndex, job } of started) {
				const token = (job.callbackToken as string) ?? '';
				// What n8n passes on if the timeout comes first; what webhook() reads the jobs from.
				input[itemIndex].json = { ...withoutToken(job), waitStartedAt, timedOut: true, callbackToken: token };
				results[itemIndex] = [{ json: { ...withoutToken(job), waitStartedAt } }];
			}
			await ctx.putExecutionToWait(new Date(Date.now() + hours * 3_600_000));
		},
	};

	async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const parked = parkedJobs(this);
		const token = String(this.getHeaderData()[options.headerName.toLowerCase()] ?? '');
		if (!token || !parked.some((p) => p.json.callbackToken === token)) {
			return answer(this, 401, { error: `Missing or wrong ${options.headerName} header: this call did not come from a job this execution started` });
		}
		const calledFor = options.jobIdOf(this.getBodyData());
		const jobs: CanonicalJob[] = [];
		try {
			// One after another: providers that limit simultaneous requests answer 429 otherwise.
			for (const p of parked) jobs.push(await options.read(this, String(p.json.id)));
		} catch (error) {
			// The provider retries failed deliveries: answer with an error so it calls again.
			return answer(this, 503, { error: `Could not read the jobs again: ${(error as Error).message}` });
		}
		const pending = jobs.filter((job) => !job.done).map((job) => job.id);
		if (pending.length) return { webhookResponse: { resumed: false, waitingFor: pending } };
		if (!isResumingCall(jobs, calledFor)) return { webhookResponse: { resumed: false, reason: 'another callback resumes this execution' } };

		const now = Date.now();
		const workflowData: INodeExecutionData[] = parked.map((p, n) => {
			const startedAt = Date.parse(String(p.json.waitStartedAt ?? '')) || now;
			const keep = Object.fromEntries(Object.entries(p.json).filter(([key]) => !(key in jobs[n]) && !PARK_FIELDS.includes(key)));
			return {
				json: { ...withoutRaw(jobs[n]), ...keep, waitStartedAt: p.json.waitStartedAt, waitedSeconds: Math.round((now - startedAt) / 100) / 10, timedOut: false, raw: jobs[n].raw },
				pairedItem: { item: p.itemIndex },
			};
		});
		return { workflowData: [workflowData], webhookResponse: { resumed: true } };
	}

	return { parking, webhook };
}

const PARK_FIELDS = ['callbackToken', 'timedOut', 'waitStartedAt', 'waitedSeconds'];

/**
 * Simultaneous callbacks for different jobs can each see every job final; only
 * the call about the job that finished last resumes, so the execution resumes
 * once. If that call never comes, any call resumes once the grace has passed.
 * A provider that reports no finish time (HasData's jobs carry none) gets no
 * such ordering: there, any call that sees every job final resumes, and n8n's
 * own "already running" refusal is what stops a second resume.
 */
function isResumingCall(jobs: CanonicalJob[], calledFor: string | undefined): boolean {
	const finishedAt = (job: CanonicalJob) => Date.parse(job.finishedAt ?? '') || 0;
	const last = [...jobs].sort((a, b) => finishedAt(b) - finishedAt(a) || b.id.localeCompare(a.id))[0];
	if (calledFor !== undefined && calledFor === last.id) return true;
	return Date.now() - finishedAt(last) > LAST_CALLBACK_GRACE_MS;
}

/** The parked node's input items, which hold the jobs it started (see the top of this file). */
function parkedJobs(ctx: IWebhookFunctions): Array<{ itemIndex: number; json: IDataObject }> {
	const text = ctx.evaluateExpression('{{ JSON.stringify($input.all().map((item) => item.json)) }}') as string;
	const items = JSON.parse(text || '[]') as IDataObject[];
	return items.map((json, itemIndex) => ({ itemIndex, json })).filter((p) => typeof p.json.callbackToken === 'string');
}

function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

function withoutToken(job: CanonicalJob): IDataObject {
	return without(job, 'callbackToken');
}

function withoutRaw(job: CanonicalJob): IDataObject {
	return without(job, 'raw');
}

function without(object: IDataObject, key: string): IDataObject {
	return Object.fromEntries(Object.entries(object).filter(([k]) => k !== key));
}
