import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { toCanonicalJob, toIsoDate, fractionToPercent } from '../shared/job';
import type { CanonicalJob, JobStatus } from '../shared/job';
import type { JobReader, JobStarter } from '../shared/jobOperations';
import { readId } from '../shared/params';
import { apiRequest, urlPath } from '../shared/transport';
import type { ApiTarget } from '../shared/transport';

/** Hirebase (shared/providers.md section A, seed 000): `x-api-key`, FastAPI errors. */
export const hirebaseApi: ApiTarget = { credentialName: 'hirebaseApi', providerName: 'Hirebase' };

export const EXPORT_FORMATS = ['json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

// The docs disagree on the success word: the task page says `completed`, the SDK
// enum and older pages say `finished`. Both mean the file is ready.
const STATUS: Record<string, JobStatus> = {
	queued: 'queued',
	processing: 'running',
	completed: 'succeeded',
	finished: 'succeeded',
	failed: 'failed',
	canceled: 'cancelled',
	cancelled: 'cancelled',
};

export function hirebaseTaskToCanonical(task: IDataObject): CanonicalJob {
	const state = task.state ?? task.status;
	const status = STATUS[String(state ?? '').toLowerCase()] ?? 'unknown';
	const result = (task.result && typeof task.result === 'object' ? task.result : null) as IDataObject | null;
	const input = (task.input && typeof task.input === 'object' ? task.input : null) as IDataObject | null;
	const query = (input?.query && typeof input.query === 'object' ? input.query : null) as IDataObject | null;
	return toCanonicalJob({
		provider: 'hirebase',
		id: task.id,
		status,
		providerStatus: state,
		progress: fractionToPercent(task.progress),
		createdAt: task.created_at,
		startedAt: task.started_at,
		finishedAt: task.completed_at,
		error: task.error,
		resultCount: result?.record_count,
		extra: {
			type: (task.type as string) ?? null,
			format: (input?.format as string) ?? null,
			// The export's size as sent (its search's limit): what the export was billed for at most.
			maxRecords: typeof query?.limit === 'number' ? query.limit : null,
			downloadUrl: (result?.download_url as string) ?? null,
			downloadExpiresAt: toIsoDate(result?.expiry_time),
			fileSize: typeof result?.file_size === 'number' ? result.file_size : null,
		},
		raw: task,
	});
}

export const readHirebaseTask: JobReader = async (ctx, id, itemIndex) => {
	const body = await apiRequest(ctx, hirebaseApi, { method: 'GET', path: urlPath`/v2/tasks/${id}`, itemIndex, subject: { what: 'task', id } });
	return hirebaseTaskToCanonical(body);
};

/** Starts one export: `POST /v2/jobs/export`. Never retried (the transport sends POSTs once). */
export async function startHirebaseExport(
	ctx: IExecuteFunctions,
	search: IDataObject,
	format: string,
	itemIndex: number,
): Promise<CanonicalJob> {
	const body = await apiRequest(ctx, hirebaseApi, {
		method: 'POST',
		path: '/v2/jobs/export',
		body: { search, format },
		itemIndex,
	});
	return hirebaseTaskToCanonical(body);
}

/**
 * Rerun: Hirebase has none, so read the task and start a new export with the
 * same search and format. The search carries its `limit`, so the new export has
 * the same size (and cost) as the original. The new task links back with
 * `originalJobId`.
 */
export const rerunHirebaseTask: JobStarter = async (ctx, itemIndex) => {
	const id = readId(ctx, itemIndex, 'taskId', 'Task ID');
	const original = await readHirebaseTask(ctx, id, itemIndex);
	const input = (original.raw.input ?? {}) as IDataObject;
	const query = input.query;
	if (!query || typeof query !== 'object' || Array.isArray(query)) {
		throw new NodeOperationError(ctx.getNode(), `Task ${id} cannot be rerun: it does not say which search it exported`, {
			itemIndex,
			description: `Only export tasks (with input.query) can be rerun. This task's type is "${String(original.type ?? 'unknown')}".`,
		});
	}
	const format = typeof input.format === 'string' && input.format ? input.format : 'json';
	return async () => ({ ...(await startHirebaseExport(ctx, query as IDataObject, format, itemIndex)), originalJobId: id });
};
