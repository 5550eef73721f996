import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toCanonicalJob } from '../shared/job';
import type { CanonicalJob, JobStatus } from '../shared/job';
import type { JobReader, JobStarter } from '../shared/jobOperations';
import { readId } from '../shared/params';
import { collectPages, rowLimit } from '../shared/results';
import type { Page } from '../shared/results';
import { apiRequest, downloadWithoutCredentials, urlPath } from '../shared/transport';
import type { ApiTarget, RequestContext } from '../shared/transport';
// hasData.callback imports this file too; it uses what it imports only at run time.
import { jobWebhook } from './hasData.callback';
import { readScraperInput } from './hasData.input';
import { FILE_FORMATS, WEBHOOK_EVENTS } from './hasData.constants';
import type { FileFormat } from './hasData.constants';

/** HasData scraper jobs (seed 003): `x-api-key`, jobs under /scrapers. */
export const hasDataApi: ApiTarget = { credentialName: 'hasDataApi', providerName: 'HasData' };

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

export function hasDataJobToCanonical(body: IDataObject): CanonicalJob {
	// Tolerant: the job may come bare (seed) or wrapped, and its id may be `id` or `jobId`.
	const data = (body?.job && typeof body.job === 'object' ? body.job : body) as IDataObject;
	const status = hasDataStatus(data.status);
	return toCanonicalJob({
		provider: 'hasData',
		id: data.id ?? data.jobId,
		status,
		providerStatus: data.status,
		progress: null,
		createdAt: data.createdAt,
		startedAt: data.startedAt,
		finishedAt: data.finishedAt ?? data.completedAt,
		error: data.error ?? data.errorMessage ?? (status === 'failed' ? data.message : null),
		resultCount: data.dataRowsCount,
		extra: {
			creditsSpent: typeof data.creditsSpent === 'number' ? data.creditsSpent : data.creditsSpent === undefined ? null : Number(data.creditsSpent),
			files: filesOf(data),
		},
		raw: data,
	});
}

export const readHasDataJob: JobReader = async (ctx, id, itemIndex) => {
	const body = await apiRequest(ctx, hasDataApi, { method: 'GET', path: urlPath`/scrapers/jobs/${id}`, itemIndex });
	return hasDataJobToCanonical(body);
};

/** The scraper slug: one of the list, or the custom one, checked so it cannot escape the path. */
export function readScraperSlug(ctx: IExecuteFunctions, itemIndex: number): string {
	const choice = String(ctx.getNodeParameter('scraper', itemIndex, '') ?? '').trim();
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
	return { url, events };
}

async function postJob(ctx: IExecuteFunctions, itemIndex: number, slug: string, body: IDataObject): Promise<CanonicalJob> {
	let response: IDataObject | undefined;
	let failure: Error | undefined;
	try {
		response = await apiRequest(ctx, hasDataApi, { method: 'POST', path: urlPath`/scrapers/${slug}/jobs`, body, itemIndex });
	} catch (error) {
		failure = error as Error;
	}
	if (!response) {
		// HasData answers 429 when the plan's number of jobs at once is reached: not a
		// request rate, so "slow down" would be the wrong advice.
		if (failure instanceof NodeApiError && failure.httpCode === '429') {
			failure.description =
				'Your HasData plan runs a limited number of scraper jobs at once. Wait for a running job to finish (or stop one), then start this again. ' +
				'It was not retried automatically, because repeating the request could start a duplicate job.';
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
 * Rerun (Inferred): HasData has no native rerun, so the job's own `input` is
 * sent again to the scraper the user names (the job does not say which it
 * was). The old job's webhook is dropped unless a new one is set, so a rerun
 * never calls a stale address by surprise.
 */
export const rerunHasDataJob: JobStarter = async (ctx, itemIndex) => {
	const id = readId(ctx, itemIndex, 'jobId', 'Job ID');
	const slug = readScraperSlug(ctx, itemIndex);
	const { webhook, callbackToken } = jobWebhook(ctx, itemIndex);
	const original = await readHasDataJob(ctx, id, itemIndex);
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
		stopAnswer = await apiRequest(ctx, hasDataApi, { method: 'DELETE', path: urlPath`/scrapers/jobs/${id}`, itemIndex });
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
async function resultsPage(ctx: RequestContext, id: string, page: number, limit: number, itemIndex: number): Promise<Page & { ids: string[] }> {
	const body = await apiRequest(ctx, hasDataApi, {
		method: 'GET',
		path: urlPath`/scrapers/jobs/${id}/results`,
		qs: { page, limit },
		itemIndex,
	});
	const entries = Array.isArray(body.data) ? (body.data as IDataObject[]) : [];
	const meta = (body.meta ?? {}) as IDataObject;
	const current = Number(meta.currentPage ?? page);
	const last = Number(meta.lastPage);
	const hasMore = meta.nextPageUrl !== undefined ? !!meta.nextPageUrl : Number.isFinite(last) && current < last;
	return {
		rows: entries.map((e) => (e && typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data) ? (e.data as IDataObject) : e)),
		ids: entries.map((e) => String(e?.id ?? '')),
		hasMore,
	};
}

/**
 * Get Results: pages through /results, one item per row. Rows of a job still
 * running can shift between pages while it adds rows, so a row seen twice
 * (same row id) is output once.
 */
export async function hasDataResults(ctx: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const id = readId(ctx, itemIndex, 'jobId', 'Job ID');
	const limit = rowLimit(ctx.getNodeParameter('returnAll', itemIndex, false) as boolean, ctx.getNodeParameter('limit', itemIndex, 50));
	const seen = new Set<string>();
	return collectPages(
		async (page, pageSize) => {
			const result = await resultsPage(ctx, id, page, pageSize, itemIndex);
			const rows = result.rows.filter((_, n) => {
				const rowId = result.ids[n];
				if (!rowId) return true;
				if (seen.has(rowId)) return false;
				seen.add(rowId);
				return true;
			});
			return { rows, hasMore: result.hasMore };
		},
		{ limit, pageSize: RESULTS_PAGE_SIZE },
	);
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
		const file = await downloadWithoutCredentials(ctx, 'HasData', url, itemIndex);
		lastStatus = file.status;
		if (file.status < 400) {
			const fileName = `hasdata-${job.id}.${format}`;
			const mimeType = file.contentType.split(';')[0].trim() || MIME[format];
			const binary = await ctx.helpers.prepareBinaryData(file.body, fileName, mimeType);
			return {
				json: { jobId: job.id, format, fileName, fileSize: file.body.length, resultCount: job.resultCount, creditsSpent: job.creditsSpent },
				binary: { [property]: binary },
			};
		}
		if (file.status !== 403 && file.status !== 404 && file.status !== 410) break;
	}
	throw new NodeOperationError(ctx.getNode(), `Could not download the ${format.toUpperCase()} file of job ${id}: the file host answered HTTP ${lastStatus}`, {
		itemIndex,
		description: 'HasData file links expire after a while; a fresh link was tried too. Try again later, or read the rows with "Get Results".',
	});
}
