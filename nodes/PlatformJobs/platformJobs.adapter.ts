import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { providerErrorDetails } from '../shared/errors';
import { toCanonicalJob } from '../shared/job';
import type { CanonicalJob, JobStatus } from '../shared/job';
import type { JobReader, JobStarter } from '../shared/jobOperations';
import { readId } from '../shared/params';
import { apiRequest, urlPath } from '../shared/transport';
import type { ApiTarget, RequestContext } from '../shared/transport';

/** Self-hosted Platform Jobs API (seed 004): `{data, error}` envelopes, Bearer key. */
export const platformApi: ApiTarget = { credentialName: 'platformJobsApi', providerName: 'Platform Jobs' };

const STATUS: Record<string, JobStatus> = {
	pending: 'queued',
	running: 'running',
	completed: 'succeeded',
	failed: 'failed',
	cancelled: 'cancelled',
};

export function platformJobToCanonical(data: IDataObject): CanonicalJob {
	const status = STATUS[String(data.status ?? '').toLowerCase()] ?? 'unknown';
	const result = (data.result ?? null) as IDataObject | null;
	return toCanonicalJob({
		provider: 'platformJobs',
		id: data.id,
		status,
		providerStatus: data.status,
		progress: data.progress,
		createdAt: data.createdAt,
		startedAt: data.startedAt,
		finishedAt: data.completedAt ?? data.finishedAt,
		// The docs say to "check job result for error details" of a failed job.
		error: data.error ?? (status === 'failed' ? result?.error ?? result?.message : null),
		resultCount: countOf(result),
		extra: {
			type: (data.type as string) ?? null,
			...(data.originalJobId ? { originalJobId: String(data.originalJobId) } : {}),
			result,
		},
		raw: data,
	});
}

/** The count a result states, under the names the platform's job types use. */
function countOf(result: IDataObject | null): number | null {
	if (!result) return null;
	for (const key of ['rowCount', 'count', 'total', 'documentsProcessed', 'itemsProcessed', 'recordCount']) {
		if (typeof result[key] === 'number') return result[key] as number;
	}
	const rows = pickRows(result);
	return rows.kind === 'rows' ? rows.rows.length : null;
}

/** Names a result's row list usually has, in the order they are preferred. */
export const KNOWN_ROW_KEYS = ['rows', 'items', 'records', 'results', 'data', 'entries'];

/** Where a result's rows are: a named list, no list at all, or several lists to choose from. */
export type RowPick =
	| { kind: 'rows'; rows: IDataObject[]; field: string | null }
	| { kind: 'none' }
	| { kind: 'ambiguous'; fields: string[] };

/**
 * Finds the rows in a job's `result`: the field the user named (a dot path such as
 * "data.rows"), else the first known row list (`rows`, `items`, …), else the only
 * list there is. Several unknown lists are not guessed between: picking the
 * first would silently output, say, `warnings` instead of the rows.
 */
export function pickRows(result: unknown, field?: string): RowPick {
	if (Array.isArray(result)) return { kind: 'rows', rows: result as IDataObject[], field: null };
	if (!result || typeof result !== 'object') return { kind: 'none' };
	const object = result as IDataObject;
	if (field) {
		const value = field.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as IDataObject)[key] : undefined), object);
		return Array.isArray(value) ? { kind: 'rows', rows: value as IDataObject[], field } : { kind: 'none' };
	}
	for (const key of KNOWN_ROW_KEYS) if (Array.isArray(object[key])) return { kind: 'rows', rows: object[key] as IDataObject[], field: key };
	const lists = Object.keys(object).filter((key) => Array.isArray(object[key]));
	if (lists.length === 1) return { kind: 'rows', rows: object[lists[0]] as IDataObject[], field: lists[0] };
	return lists.length ? { kind: 'ambiguous', fields: lists } : { kind: 'none' };
}

/** Unwraps `{data, error}`; a 200 carrying an error is still an error. */
function unwrap(ctx: RequestContext, body: IDataObject, itemIndex?: number): IDataObject {
	if (body?.data && typeof body.data === 'object') return body.data as IDataObject;
	const error = (body?.error ?? {}) as IDataObject;
	const details = providerErrorDetails(body) ?? (typeof error.details === 'string' ? error.details : undefined);
	throw new NodeOperationError(ctx.getNode(), `Platform Jobs API error: ${String(error.message ?? 'the response had no job data')}`, {
		itemIndex,
		description: details ? `Details: ${details}` : undefined,
	});
}

export const readPlatformJob: JobReader = async (ctx, id, itemIndex) => {
	const body = await apiRequest(ctx, platformApi, { method: 'GET', path: urlPath`/jobs/${id}`, itemIndex, subject: { what: 'job', id } });
	return platformJobToCanonical(unwrap(ctx, body, itemIndex));
};

/** Native rerun: the API creates a NEW job and links it with `originalJobId`. */
export const rerunPlatformJob: JobStarter = async (ctx, itemIndex) => {
	const id = readId(ctx, itemIndex, 'jobId', 'Job ID');
	return async () => {
		const body = await apiRequest(ctx, platformApi, { method: 'POST', path: urlPath`/jobs/${id}/rerun`, itemIndex, subject: { what: 'job', id } });
		const job = platformJobToCanonical(unwrap(ctx, body, itemIndex));
		return { ...job, originalJobId: (job.originalJobId as string) ?? id };
	};
};
