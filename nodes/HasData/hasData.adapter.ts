import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toCanonicalJob } from '../shared/job';
import type { CanonicalJob, JobStatus } from '../shared/job';
import type { JobReader, JobStarter } from '../shared/jobOperations';
import { readId } from '../shared/params';
import { collectPages, rowLimit } from '../shared/results';
import type { Page } from '../shared/results';
import { openDownload, readSmallBody } from '../shared/streamDownload';
import { apiRequest, urlPath } from '../shared/transport';
import type { ApiTarget, RequestContext } from '../shared/transport';
import { callbackSecretHeaders, readCallbackSecret } from './hasData.callbackSecret';
// hasData.callback imports this file too; it uses what it imports only at run time.
import { jobWebhook } from './hasData.callback';
import { readScraperInput } from './hasData.input';
import { FILE_FORMATS, WEBHOOK_EVENTS } from './hasData.constants';
import type { FileFormat } from './hasData.constants';

/**
 * HasData scraper jobs (seed 003): `x-api-key`, jobs under /scrapers. Plans limit
 * SIMULTANEOUS requests (free plan: 1), so every request of a credential waits
 * for a free slot of the credential's "Max Simultaneous Requests".
 */
export const hasDataApi: ApiTarget = {
	credentialName: 'hasDataApi',
	providerName: 'HasData',
	concurrency: { credentialField: 'maxConcurrentRequests', fallback: 1 },
	statusHints: {
		429:
			'HasData limits how many requests run at the same time (free plan: 1), counting every request made with this API key — ' +
			'other workflows and apps included. Set "Max Simultaneous Requests" in the HasData credential to your plan\'s limit, ' +
			'and run fewer HasData workflows at once with this key.',
	},
};

/** The /results endpoint refuses more than 100 rows per page. */
export const RESULTS_PAGE_SIZE = 100;

const STATUS: Record<string, JobStatus> = {
	pending: 'queued',
	in_progress: 'running',
	finished: 'succeeded',
	stopped: 'cancelled',
	cancelled: 'cancelled',
	failed: 'failed',
};

export function hasDataStatus(providerStatus: unknown): JobStatus {
	return STATUS[String(providerStatus ?? '').trim().toLowerCase()] ?? 'unknown';
}

/** The job's file links `{csv, json, xlsx}`, present once it finished. */
function filesOf(data: IDataObject): IDataObject | null {
	const files = data.data;
	if (!files || typeof files !== 'object' || Array.isArray(files)) return null;
	const out: IDataObject = {};
	for (const format of FILE_FORMATS) if (typeof (files as IDataObject)[format] === 'string') out[format] = (files as IDataObject)[format];
	return Object.keys(out).length ? out : null;
}

/** How a job HasData stopped because the account ran out of credits is reported. */
export type CreditStopAs = 'cancelled' | 'failed';

/** Numbers HasData may send as strings ("200"); null when absent or not a number. */
function numberOf(value: unknown): number | null {
	if (value === undefined || value === null || value === '') return null;
	const n = typeof value === 'number' ? value : Number(String(value).trim());
	return Number.isFinite(n) ? n : null;
}

/** The text HasData gives with a job's state (undocumented field names, so several are tried). */
function reasonOf(data: IDataObject): string | null {
	for (const key of ['stopReason', 'reason', 'statusReason', 'message', 'errorMessage', 'error']) {
		const value = data[key];
		if (typeof value === 'string' && value.trim()) return value.trim();
		if (value && typeof value === 'object' && typeof (value as IDataObject).message === 'string') return String((value as IDataObject).message);
	}
	return null;
}

/** The scraper slug a job answer names (only the start reply does: `scraper {slug}`). */
function slugOf(data: IDataObject): string | null {
	const scraper = data.scraper;
	const slug = scraper && typeof scraper === 'object' ? (scraper as IDataObject).slug : typeof scraper === 'string' ? scraper : data.scraperSlug ?? data.slug;
	return typeof slug === 'string' && /^[a-z0-9][a-z0-9-]*$/i.test(slug) ? slug.toLowerCase() : null;
}

/**
 * A HasData job as a canonical job. A job HasData stopped because the account ran
 * out of credits is `stopped` like a user's stop; it gets `stopReason: "credits"`
 * and a `warning`, and is `failed` instead of `cancelled` when `creditStop` says so.
 */
export function hasDataJobToCanonical(body: IDataObject, creditStop: CreditStopAs = 'cancelled'): CanonicalJob {
	// Tolerant: the job may come bare (seed) or wrapped, and its id may be `id` or `jobId`.
	const data = (body?.job && typeof body.job === 'object' ? body.job : body) as IDataObject;
	let status = hasDataStatus(data.status);
	const reason = reasonOf(data);
	const rows = numberOf(data.dataRowsCount);
	const outOfCredits = status === 'cancelled' && !!reason && /credit|balance|quota/i.test(reason);
	const warning = outOfCredits
		? `HasData stopped this job because the account ran out of credits${rows === null ? '' : ` after ${rows} rows`}: ${reason}`
		: null;
	if (outOfCredits && creditStop === 'failed') status = 'failed';
	const slug = slugOf(data);
	return toCanonicalJob({
		provider: 'hasData',
		id: data.id ?? data.jobId,
		status,
		providerStatus: data.status,
		progress: null,
		createdAt: data.createdAt,
		startedAt: data.startedAt,
		finishedAt: data.finishedAt ?? data.completedAt,
		error: outOfCredits && status === 'failed' ? warning : data.error ?? data.errorMessage ?? (status === 'failed' ? data.message : null),
		resultCount: rows,
		extra: {
			creditsSpent: numberOf(data.creditsSpent),
			files: filesOf(data),
			stopReason: outOfCredits ? 'credits' : null,
			warning,
			...(slug ? { scraper: slug } : {}),
		},
		raw: data,
	});
}

/** The node's "Stopped for Lack of Credits" choice, where the node has one (not in triggers). */
function creditStopOf(ctx: RequestContext, itemIndex?: number): CreditStopAs {
	if (itemIndex === undefined) return 'cancelled';
	const withItems = ctx as IExecuteFunctions;
	try {
		return withItems.getNodeParameter('creditStop', itemIndex, 'cancelled') === 'failed' ? 'failed' : 'cancelled';
	} catch {
		return 'cancelled';
	}
}

export const readHasDataJob: JobReader = async (ctx, id, itemIndex, options) => {
	const body = await apiRequest(ctx, hasDataApi, {
		method: 'GET',
		path: urlPath`/scrapers/jobs/${id}`,
		itemIndex,
		subject: { what: 'job', id },
		...options,
	});
	return hasDataJobToCanonical(body, creditStopOf(ctx, itemIndex));
};

/** Rerun's "Scraper" choice that takes the scraper from the job being rerun. */
export const SAME_SCRAPER = 'fromJob';

/** The scraper slug: one of the list, or the custom one, checked so it cannot escape the path. */
export function readScraperSlug(ctx: IExecuteFunctions, itemIndex: number): string {
	const choice = String(ctx.getNodeParameter('scraper', itemIndex, '') ?? '').trim();
	if (choice === SAME_SCRAPER) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "Scraper" is "Same as the Original Job", which only Rerun can use (item ${itemIndex})`, {
			itemIndex,
			description: 'Pick the scraper to run.',
		});
	}
	const custom = choice === 'custom';
	const slug = custom ? String(ctx.getNodeParameter('customSlug', itemIndex, '') ?? '').trim() : choice;
	const label = custom ? 'Custom Slug' : 'Scraper';
	if (!slug) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "${label}" is empty in item ${itemIndex}`, {
			itemIndex,
			description: 'Pick a scraper, or choose "Custom Slug" and enter the slug from the scraper\'s URL on hasdata.com, e.g. google-maps.',
		});
	}
	if (!/^[a-z0-9][a-z0-9-]*$/i.test(slug)) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "${label}" is not a scraper slug: "${slug}" (item ${itemIndex})`, {
			itemIndex,
			description: 'A slug is lowercase letters, digits and dashes, e.g. google-maps or amazon-product.',
		});
	}
	return slug.toLowerCase();
}

/** The webhook block from the "Webhook" options, or undefined when no URL is set. */
export function readWebhook(ctx: IExecuteFunctions, itemIndex: number): IDataObject | undefined {
	const options = ctx.getNodeParameter('webhookOptions', itemIndex, {}) as IDataObject;
	const url = String(options.webhookUrl ?? '').trim();
	if (!url) return undefined;
	if (!/^https?:\/\/[^/\s]+/i.test(url)) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "Webhook URL" is not a valid URL: "${url}" (item ${itemIndex})`, {
			itemIndex,
			description: 'Enter an address starting with https://, e.g. the Production URL of a HasData Webhook Trigger node.',
		});
	}
	const chosen = Array.isArray(options.webhookEvents) ? (options.webhookEvents as string[]) : ['scraper.job.finished'];
	const events = chosen.filter((e) => (WEBHOOK_EVENTS as readonly string[]).includes(e));
	if (events.length === 0) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "Webhook Events" is empty in item ${itemIndex}`, {
			itemIndex,
			description: 'Pick at least one event, usually "Job Finished".',
		});
	}
	// HasData sends these headers back with every call: the receiver checks the secret.
	const secret = readCallbackSecret(ctx.getNode(), options.callbackHeaderName, options.secretValue, itemIndex);
	return { url, events, ...(secret ? { headers: callbackSecretHeaders(secret) } : {}) };
}

async function postJob(ctx: IExecuteFunctions, itemIndex: number, slug: string, body: IDataObject): Promise<CanonicalJob> {
	let response: IDataObject | undefined;
	let failure: Error | undefined;
	try {
		response = await apiRequest(ctx, hasDataApi, { method: 'POST', path: urlPath`/scrapers/${slug}/jobs`, body, itemIndex, subject: { what: 'scraper', id: slug } });
	} catch (error) {
		failure = error as Error;
	}
	if (!response) {
		// HasData answers 429 when more requests than the plan allows run at the same
		// time (free plan: 1) — other workflows with this key included. Not a request
		// rate, and not a number of running jobs.
		if (failure instanceof NodeApiError && failure.httpCode === '429') {
			failure.description =
				'HasData refused the start because too many requests with this API key were running at the same time: plans limit simultaneous requests (free plan: 1), ' +
				'and this node\'s own requests stay within "Max Simultaneous Requests" of the credential, so another workflow or app using the key was probably busy. ' +
				'Check your HasData dashboard, then start it again. It was not retried automatically, because repeating the request could start a duplicate job.';
		}
		throw failure ?? new NodeOperationError(ctx.getNode(), `HasData did not answer the start of scraper "${slug}"`, { itemIndex });
	}
	const job = hasDataJobToCanonical(response);
	if (!job.id) {
		throw new NodeOperationError(ctx.getNode(), `HasData accepted the job for scraper "${slug}" but its answer carried no job ID`, {
			itemIndex,
			description: `Check your HasData dashboard before starting it again. Answer: ${JSON.stringify(response).slice(0, 300)}`,
		});
	}
	// A start answer may leave out the status: a job just created is pending.
	const started = job.providerStatus === null ? { ...job, status: 'queued' as const, providerStatus: 'pending' } : job;
	// The slug travels on the item, so a later Rerun needs no guess.
	return { ...started, scraper: slug } as CanonicalJob;
}

/** Start: POST /scrapers/{slug}/jobs with the input (and the webhook, if set). Sent once. */
export const startHasDataJob: JobStarter = async (ctx, itemIndex) => {
	const slug = readScraperSlug(ctx, itemIndex);
	const input = readScraperInput(ctx, itemIndex, slug);
	const { webhook, callbackToken } = jobWebhook(ctx, itemIndex);
	return async () => withToken(await postJob(ctx, itemIndex, slug, webhook ? { ...input, webhook } : input), callbackToken);
};

/**
 * The scraper of the job being rerun, for "Same as the Original Job": from the job
 * answer if it names one, else from the input item when it is that job's item (the
 * Start output carries `scraper`). Never a guess: otherwise the user must pick.
 */
function originalScraper(ctx: IExecuteFunctions, itemIndex: number, id: string, original: CanonicalJob): string {
	if (typeof original.scraper === 'string' && original.scraper) return original.scraper;
	const item = ctx.getInputData()[itemIndex]?.json ?? {};
	const sameJob = [item.id, item.jobId].some((value) => value !== undefined && value !== null && String(value) === id);
	const slug = typeof item.scraper === 'string' ? item.scraper.trim().toLowerCase() : '';
	if (sameJob && /^[a-z0-9][a-z0-9-]*$/.test(slug)) return slug;
	throw new NodeOperationError(ctx.getNode(), `Cannot tell which scraper job ${id} ran on, so it was not rerun`, {
		itemIndex,
		description:
			'HasData names the scraper only when a job is started, not when it is read. Set "Scraper" to the scraper the job ran on, ' +
			'or rerun from the output of the HasData node that started it (its items carry "scraper").',
	});
}

/**
 * Rerun (Inferred): HasData has no native rerun, so the job's own `input` is
 * sent again — to the job's own scraper by default ("Same as the Original
 * Job"), or to the one the user picks. The old job's webhook is dropped unless a
 * new one is set, so a rerun never calls a stale address by surprise.
 */
export const rerunHasDataJob: JobStarter = async (ctx, itemIndex) => {
	const id = readId(ctx, itemIndex, 'jobId', 'Job ID');
	const sameScraper = String(ctx.getNodeParameter('scraper', itemIndex, SAME_SCRAPER) ?? '').trim() === SAME_SCRAPER;
	const chosen = sameScraper ? undefined : readScraperSlug(ctx, itemIndex);
	const { webhook, callbackToken } = jobWebhook(ctx, itemIndex);
	const original = await readHasDataJob(ctx, id, itemIndex);
	const slug = chosen ?? originalScraper(ctx, itemIndex, id, original);
	const input = original.raw.input;
	if (!input || typeof input !== 'object' || Array.isArray(input)) {
		throw new NodeOperationError(ctx.getNode(), `Job ${id} has no input to run again`, {
			itemIndex,
			description: 'HasData did not return the input of this job. Use "Start" with the input instead.',
		});
	}
	const rest: IDataObject = { ...(input as IDataObject) };
	delete rest.webhook;
	return async () => {
		const job = await postJob(ctx, itemIndex, slug, webhook ? { ...rest, webhook } : rest);
		return withToken({ ...job, originalJobId: original.id || id } as CanonicalJob, callbackToken);
	};
};

/** Keeps the callback token on the started job, for the callback wait to park with. */
function withToken(job: CanonicalJob, callbackToken: string | undefined): CanonicalJob {
	return callbackToken ? { ...job, callbackToken } : job;
}

/**
 * Stop: DELETE /scrapers/jobs/{id}. A job that already ended cannot be stopped;
 * the API refuses with a 4xx, and the user gets the job's final status instead
 * of a bare error (or an error saying so, if they asked for one).
 */
export async function stopHasDataJob(ctx: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readId(ctx, itemIndex, 'jobId', 'Job ID');
	const ifFinished = ctx.getNodeParameter('ifAlreadyFinished', itemIndex, 'output') as string;
	let refused: NodeApiError | undefined;
	let stopAnswer: IDataObject = {};
	try {
		stopAnswer = await apiRequest(ctx, hasDataApi, { method: 'DELETE', path: urlPath`/scrapers/jobs/${id}`, itemIndex, subject: { what: 'job', id } });
	} catch (error) {
		refused = error as NodeApiError;
	}
	// Only a refusal (4xx other than auth) may mean "already ended"; anything else is the user's error as is.
	if (refused && !(refused instanceof NodeApiError && [400, 409, 410, 422].includes(Number(refused.httpCode)))) throw refused;
	const job = await readHasDataJob(ctx, id, itemIndex);
	if (!refused) return { ...job, stopped: true, message: `Job ${job.id} was stopped`, stopResponse: stopAnswer };
	if (!job.done) throw refused;
	const message = `Job ${job.id} had already finished with status "${job.status}" (HasData: "${job.providerStatus}"), so there was nothing to stop`;
	if (ifFinished === 'error') {
		throw new NodeOperationError(ctx.getNode(), message, {
			itemIndex,
			description: `HasData said: ${refused.message}. Set "If Already Finished" to "Output the Job" to continue instead.`,
		});
	}
	return { ...job, stopped: false, message };
}

/** Fetches one page of /results and unwraps each row from `data[i].data`. */
async function resultsPage(ctx: RequestContext, id: string, page: number, limit: number, itemIndex: number): Promise<Page> {
	const body = await apiRequest(ctx, hasDataApi, {
		method: 'GET',
		path: urlPath`/scrapers/jobs/${id}/results`,
		qs: { page, limit },
		itemIndex,
		subject: { what: 'job', id },
	});
	const entries = Array.isArray(body.data) ? (body.data as IDataObject[]) : [];
	const meta = (body.meta ?? {}) as IDataObject;
	const current = Number(meta.currentPage ?? page);
	const last = Number(meta.lastPage);
	const hasMore = meta.nextPageUrl !== undefined ? !!meta.nextPageUrl : Number.isFinite(last) && current < last;
	return {
		rows: entries.map((e) => (e && typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data) ? (e.data as IDataObject) : e)),
		keys: entries.map((e) => String(e?.id ?? '')),
		hasMore,
		totalPages: Number.isFinite(last) && last > 0 ? last : undefined,
	};
}

/**
 * Pages of /results asked for at once once the page count is known; the
 * credential's Max Simultaneous Requests (transport) lets through only as many
 * as the plan allows.
 */
export const RESULTS_CONCURRENCY = 4;

/**
 * Get Results: pages through /results, one item per row, several pages at a
 * time. Rows of a job still running can shift between pages while it adds
 * rows, so a row seen twice (same row id) is output once (collectPages).
 */
export async function hasDataResults(ctx: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const id = readId(ctx, itemIndex, 'jobId', 'Job ID');
	const limit = rowLimit(ctx.getNodeParameter('returnAll', itemIndex, false) as boolean, ctx.getNodeParameter('limit', itemIndex, 50));
	return collectPages((page, pageSize) => resultsPage(ctx, id, page, pageSize, itemIndex), {
		limit,
		pageSize: RESULTS_PAGE_SIZE,
		concurrency: RESULTS_CONCURRENCY,
		what: `the results of job ${id}`,
	});
}

const MIME: Record<FileFormat, string> = {
	csv: 'text/csv',
	json: 'application/json',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Download File: the job's CSV / JSON / XLSX link, fetched without the API key.
 * The links are short-lived, so a refused download is tried once more with
 * fresh links from a new read of the job.
 */
export async function downloadHasDataFile(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData> {
	const id = readId(ctx, itemIndex, 'jobId', 'Job ID');
	const format = ctx.getNodeParameter('fileFormat', itemIndex, 'csv') as FileFormat;
	if (!FILE_FORMATS.includes(format)) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "File Format" must be csv, json or xlsx, but item ${itemIndex} gave "${String(format)}"`, { itemIndex });
	}
	const property = String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') ?? '').trim();
	if (!property) throw new NodeOperationError(ctx.getNode(), `The parameter "Put Output File in Field" is empty in item ${itemIndex}`, { itemIndex });

	let lastStatus = 0;
	for (let attempt = 0; attempt < 2; attempt++) {
		const job = await readHasDataJob(ctx, id, itemIndex);
		const url = (job.files as IDataObject | null)?.[format];
		if (typeof url !== 'string' || !url) {
			const why = job.done
				? `HasData gave no ${format.toUpperCase()} file for it (status "${job.status}", HasData: "${job.providerStatus}")`
				: `it has not finished yet (status "${job.status}", HasData: "${job.providerStatus}")`;
			throw new NodeOperationError(ctx.getNode(), `Job ${job.id} has no ${format.toUpperCase()} file: ${why}`, {
				itemIndex,
				description: job.done
					? 'HasData only makes files for jobs that finished. Rows of stopped or failed jobs can still be read with "Get Results".'
					: 'Use "Wait for Completion" first, or start this workflow from a HasData trigger when the job finishes.',
			});
		}
		// Streamed into n8n's binary data as it arrives: a big export never sits whole in memory.
		const file = await openDownload(ctx, 'HasData', url, itemIndex);
		lastStatus = file.status;
		if (file.status < 400) {
			const fileName = `hasdata-${job.id}.${format}`;
			const mimeType = file.contentType.split(';')[0].trim() || MIME[format];
			const binary = await ctx.helpers.prepareBinaryData(file.body as never, fileName, mimeType);
			const stored = Number((binary as { bytes?: unknown }).bytes);
			const fileSize = file.contentLength ?? (Number.isFinite(stored) ? stored : null);
			return {
				json: { jobId: job.id, format, fileName, fileSize, resultCount: job.resultCount, creditsSpent: job.creditsSpent },
				binary: { [property]: binary },
			};
		}
		await readSmallBody(file.body);
		if (file.status !== 403 && file.status !== 404 && file.status !== 410) break;
	}
	throw new NodeOperationError(ctx.getNode(), `Could not download the ${format.toUpperCase()} file of job ${id}: the file host answered HTTP ${lastStatus}`, {
		itemIndex,
		description: 'HasData file links expire after a while; a fresh link was tried too. Try again later, or read the rows with "Get Results".',
	});
}
