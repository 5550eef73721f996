import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

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
	const rows = rowsOf(result);
	return rows ? rows.length : null;
}

/** The first list of rows in a result (`rows`, `items`, `data`, …), if there is one. */
export function rowsOf(result: unknown): IDataObject[] | undefined {
	if (Array.isArray(result)) return result as IDataObject[];
	if (!result || typeof result !== 'object') return undefined;
	const lists = Object.values(result as IDataObject).filter((v) => Array.isArray(v));
	return lists.length ? (lists[0] as IDataObject[]) : undefined;
}

/** Unwraps `{data, error}`; a 200 carrying an error is still an error. */
function unwrap(ctx: RequestContext, body: IDataObject, itemIndex?: number): IDataObject {
	if (body?.data && typeof body.data === 'object') return body.data as IDataObject;
	const error = (body?.error ?? {}) as IDataObject;
	throw new NodeOperationError(ctx.getNode(), `Platform Jobs API error: ${String(error.message ?? 'the response had no job data')}`, {
		itemIndex,
		description: typeof error.details === 'string' ? error.details : undefined,
	});
}

export const readPlatformJob: JobReader = async (ctx, id, itemIndex) => {
	const body = await apiRequest(ctx, platformApi, { method: 'GET', path: urlPath`/jobs/${id}`, itemIndex });
	return platformJobToCanonical(unwrap(ctx, body, itemIndex));
};

/** Native rerun: the API creates a NEW job and links it with `originalJobId`. */
export const rerunPlatformJob: JobStarter = async (ctx, itemIndex) => {
	const id = readId(ctx, itemIndex, 'jobId', 'Job ID');
	return async () => {
		const body = await apiRequest(ctx, platformApi, { method: 'POST', path: urlPath`/jobs/${id}/rerun`, itemIndex });
		const job = platformJobToCanonical(unwrap(ctx, body, itemIndex));
		return { ...job, originalJobId: (job.originalJobId as string) ?? id };
	};
};
