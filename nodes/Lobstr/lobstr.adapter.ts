import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { toCanonicalJob } from '../shared/job';
import type { CanonicalJob, JobStatus } from '../shared/job';
import type { JobReader, SendStart } from '../shared/jobOperations';
import type { RateLimit } from '../shared/rateLimit';
import type { Page } from '../shared/results';
import { apiRequest, urlPath } from '../shared/transport';
import type { ApiTarget, ReadOptions, RequestContext } from '../shared/transport';

/**
 * Lobstr.io (seeds 001, 002): Squid → Tasks (input rows) → Runs (one execution of
 * a squid's tasks) → Results (rows). `Authorization: Token KEY`.
 */
export const lobstrApi: ApiTarget = { credentialName: 'lobstrApi', providerName: 'Lobstr' };

/**
 * Lobstr's published per-endpoint limits (/squids 120/min, /tasks 90/min, /runs
 * 120/min, /results 2/s). It may block IPs that keep hitting them, so every
 * request goes through a client-side bucket per endpoint family. A request
 * counts from its answer, so network jitter never pushes one into the previous
 * window of Lobstr's. Mutable only so tests can shorten the windows; nodes never
 * change it.
 */
export const lobstrLimits: Record<'squids' | 'tasks' | 'runs' | 'results', RateLimit> = {
	// Lobstr's windows exactly, each request counted from its answer (see waitForSlot); 5 ms for timer rounding.
	squids: { bucket: 'lobstr:/squids', maxRequests: 120, perMs: 60_005 },
	tasks: { bucket: 'lobstr:/tasks', maxRequests: 90, perMs: 60_005 },
	runs: { bucket: 'lobstr:/runs', maxRequests: 120, perMs: 60_005 },
	results: { bucket: 'lobstr:/results', maxRequests: 2, perMs: 1_005 },
};

/** Largest page /results and the list endpoints accept. */
export const PAGE_SIZE = 100;

const RUN_STATUS: Record<string, JobStatus> = {
	pending: 'queued',
	running: 'running',
	// Results are being exported; after an abort this is the way to `aborted`.
	uploading: 'running',
	// Lobstr may resume a paused run by itself: not final.
	paused: 'running',
	done: 'succeeded',
	aborted: 'cancelled',
	error: 'failed',
};

const TASK_STATUS: Record<string, JobStatus> = {
	pending: 'queued',
	running: 'running',
	completed: 'succeeded',
	aborted: 'cancelled',
	failed: 'failed',
	error: 'failed',
};

/**
 * done_reasons of a run that finished normally (all tasks done; an export fixed up
 * afterwards; e-mails verified after the scrape). Any other is worth a warning.
 */
const CLEAN_DONE_REASONS = new Set(['tasks_done', 'export_fix', 'emails_verified']);

function text(value: unknown): string | null {
	return value === undefined || value === null || value === '' ? null : String(value);
}

/** A run (GET /runs/{id}, POST /runs, list rows), with its stats when read. */
export function runToCanonical(run: IDataObject, stats?: IDataObject): CanonicalJob {
	const providerStatus = String(run.status ?? '').toLowerCase();
	const doneReason = text(run.done_reason)?.toLowerCase() ?? null;
	let status: JobStatus = RUN_STATUS[providerStatus] ?? 'unknown';
	// An aborted run passes through `uploading` (partial results are exported) and
	// may end as `done` with done_reason "aborted": either way, it was cancelled.
	if (doneReason === 'aborted' && (providerStatus === 'done' || run.is_done === true)) status = 'cancelled';
	const warning =
		status === 'succeeded' && doneReason && !CLEAN_DONE_REASONS.has(doneReason)
			? `The run ended early: ${text(run.done_reason_desc) ?? doneReason}`
			: null;
	const progress = stats?.percent_done ?? (status === 'succeeded' ? 100 : undefined);
	return toCanonicalJob({
		provider: 'lobstr',
		id: run.id ?? run.hash_value,
		status,
		providerStatus: run.status,
		progress,
		createdAt: run.created_at,
		startedAt: run.started_at,
		finishedAt: run.ended_at,
		error: status === 'failed' ? run.error ?? run.done_reason_desc ?? run.done_reason ?? 'The run failed' : null,
		resultCount: run.total_results ?? stats?.total_results,
		extra: {
			kind: 'run',
			squid: text(run.squid),
			doneReason,
			warning,
			exportDone: run.export_done === undefined ? null : run.export_done === true,
			...(stats ? { eta: text(stats.eta), tasksDone: stats.total_tasks_done ?? null, tasksTotal: stats.total_tasks ?? null } : {}),
		},
		raw: stats ? { ...run, stats } : run,
	});
}

/** A task (seed 001): one input row of a squid, with its own status and counts. */
export function taskToCanonical(task: IDataObject): CanonicalJob {
	const state = (task.status && typeof task.status === 'object' ? task.status : {}) as IDataObject;
	const providerStatus = String(state.status ?? '').toLowerCase();
	const status = TASK_STATUS[providerStatus] ?? 'unknown';
	const errors = state.errors;
	return toCanonicalJob({
		provider: 'lobstr',
		id: task.hash_value ?? task.id,
		status,
		providerStatus: state.status,
		progress: status === 'succeeded' ? 100 : null,
		createdAt: task.created_at,
		startedAt: state.started_at,
		finishedAt: state.ended_at,
		error: status === 'failed' || status === 'cancelled' ? errors ?? state.done_reason ?? null : null,
		resultCount: state.total_results,
		extra: {
			kind: 'task',
			squid: text(task.squid),
			params: (task.params as IDataObject) ?? null,
			isActive: task.is_active === undefined ? null : task.is_active === true,
			doneReason: text(state.done_reason),
			totalPages: typeof state.total_pages === 'number' ? state.total_pages : null,
			hasErrors: state.has_errors === true,
			errors: (errors as IDataObject) ?? null,
		},
		raw: task,
	});
}

export const readTask: JobReader = async (ctx, hash, itemIndex, options) => {
	const body = await apiRequest(ctx, lobstrApi, {
		method: 'GET',
		path: urlPath`/tasks/${hash}`,
		itemIndex,
		rateLimit: lobstrLimits.tasks,
		subject: { what: 'task', id: hash },
		...options,
	});
	return taskToCanonical(body);
};

/** GET /runs/{id} and its stats (percent_done), so the item carries progress. */
export const readRun: JobReader = async (ctx, id, itemIndex, options) => {
	const run = await getRun(ctx, id, itemIndex, options);
	let stats: IDataObject | undefined;
	const providerStatus = String(run.status ?? '').toLowerCase();
	// A finished run's stats add nothing the run lacks; skip the request.
	if (!['done', 'aborted', 'error'].includes(providerStatus)) {
		stats = await apiRequest(ctx, lobstrApi, {
			method: 'GET',
			path: urlPath`/runs/${id}/stats`,
			itemIndex,
			rateLimit: lobstrLimits.runs,
			subject: { what: 'run', id },
			...options,
		});
	}
	return runToCanonical(run, stats);
};

function getRun(ctx: RequestContext, id: string, itemIndex?: number, options?: ReadOptions): Promise<IDataObject> {
	return apiRequest(ctx, lobstrApi, { method: 'GET', path: urlPath`/runs/${id}`, itemIndex, rateLimit: lobstrLimits.runs, subject: { what: 'run', id }, ...options });
}

/**
 * POST /runs {squid}: starts a run of every active task of the squid. Never
 * retried. A squid that already has an active run answers 400 RunInProgress,
 * which becomes an error saying what to do.
 */
export async function startRun(ctx: IExecuteFunctions, squid: string, itemIndex: number, previousRun?: string): Promise<CanonicalJob> {
	let body: IDataObject | undefined;
	let failure: unknown;
	try {
		body = await apiRequest(ctx, lobstrApi, { method: 'POST', path: '/runs', body: { squid }, itemIndex, rateLimit: lobstrLimits.runs, subject: { what: 'squid', id: squid } });
	} catch (error) {
		failure = error;
	}
	if (failure !== undefined || !body) {
		if (isRunInProgress(failure)) {
			throw new NodeOperationError(ctx.getNode(), `Squid ${squid} already has an active run, so no new run was started`, {
				itemIndex,
				description:
					`Lobstr allows one active run per squid (it answered: ${(failure as NodeApiError).message}). ` +
					'Wait for the active run to finish (Run → Wait for Completion) or abort it (Run → Abort), then try again.',
			});
		}
		throw failure;
	}
	const run = runToCanonical(body);
	return previousRun ? { ...run, previousRun } : run;
}

/** 400 validation_error "A run is already active for this squid" (the errors page also names RunInProgress). */
function isRunInProgress(error: unknown): boolean {
	if (!(error instanceof NodeApiError) || error.httpCode !== '400') return false;
	return /RunInProgress|already.*(running|in progress|active)/i.test(`${JSON.stringify(error.errorResponse ?? {})} ${error.message}`);
}

/**
 * Rerun = a new run on the run's squid (Lobstr has no native rerun). Reads the
 * run now; the returned function starts the new run.
 */
export async function prepareRerun(ctx: IExecuteFunctions, runId: string, itemIndex: number): Promise<SendStart> {
	const run = await getRun(ctx, runId, itemIndex);
	const squid = text(run.squid);
	if (!squid) {
		throw new NodeOperationError(ctx.getNode(), `Run ${runId} does not name its squid, so it cannot be rerun`, { itemIndex });
	}
	return async () => startRun(ctx, squid, itemIndex, runId);
}

/**
 * POST /runs/{id}/abort: the run is done at once (`uploading`, is_done, done_reason
 * "aborted": its partial results are still exported), then `aborted`. A run that
 * already finished answers 404 "Run not found or already completed" — the same as
 * an unknown run — so the run is read to tell the two apart: a finished run is
 * output (or an error, if the user asks) saying so; an unknown one is a 404 that
 * names the ID. Never retried.
 */
export async function abortRun(ctx: IExecuteFunctions, runId: string, itemIndex: number): Promise<CanonicalJob> {
	let body: IDataObject | undefined;
	let refused: unknown;
	try {
		body = await apiRequest(ctx, lobstrApi, { method: 'POST', path: urlPath`/runs/${runId}/abort`, itemIndex, rateLimit: lobstrLimits.runs });
	} catch (error) {
		refused = error;
	}
	if (body) return { ...runToCanonical({ id: runId, ...body }), aborted: true } as CanonicalJob;
	if (!(refused instanceof NodeApiError) || refused.httpCode !== '404') throw refused;

	const run = await readRun(ctx, runId, itemIndex);
	const message = `Run ${run.id} had already finished with status "${run.status}" (Lobstr: "${run.providerStatus}"), so there was nothing to abort`;
	if (!run.done) {
		// Lobstr said "not found or already completed" about a run it still lists as active.
		throw new NodeOperationError(ctx.getNode(), `Lobstr refused to abort run ${run.id}, which is still "${run.providerStatus}"`, {
			itemIndex,
			description: `Lobstr said: ${refused.message}. Try again in a moment; the run may be finishing.`,
		});
	}
	if (ctx.getNodeParameter('ifAlreadyFinished', itemIndex, 'output') === 'error') {
		throw new NodeOperationError(ctx.getNode(), message, {
			itemIndex,
			description: 'Set "If Already Finished" to "Output the Run" to continue with the run instead.',
		});
	}
	return { ...run, aborted: false, message } as CanonicalJob;
}

/** Lobstr's list envelope: a `next` link, else `total_pages`, else a full page means maybe more. */
function hasMorePages(body: IDataObject, page: number, rowCount: number, limit: number): boolean {
	if (body.next) return true;
	const totalPages = Number(body.total_pages);
	return Number.isFinite(totalPages) ? page < totalPages : rowCount >= limit;
}

export type ResultsScope = { run: string; squid?: undefined } | { squid: string; run?: undefined };

/** One page of GET /results (run or squid, never both; optional task). */
export async function resultsPage(
	ctx: RequestContext,
	scope: ResultsScope,
	task: string | undefined,
	page: number,
	limit: number,
	itemIndex?: number,
): Promise<Page & { total: number | null; warning: string | null }> {
	const qs: IDataObject = { page, limit: Math.min(PAGE_SIZE, limit) };
	if (scope.run) qs.run = scope.run;
	else qs.squid = scope.squid;
	if (task) qs.task = task;
	const subject = scope.run ? { what: 'run', id: scope.run } : { what: 'squid', id: String(scope.squid) };
	const body = await apiRequest(ctx, lobstrApi, { method: 'GET', path: '/results', qs, itemIndex, rateLimit: lobstrLimits.results, subject });
	const rows = Array.isArray(body.data) ? (body.data as IDataObject[]) : [];
	const hasMore = hasMorePages(body, page, rows.length, limit);
	const total = Number(body.total_results);
	const totalPages = Number(body.total_pages);
	// Free plans cap results and say so only in `warning`: the totals count what is returned.
	const warning = typeof body.warning === 'string' && body.warning.trim() ? body.warning.trim() : null;
	return {
		rows,
		hasMore,
		total: Number.isFinite(total) ? total : null,
		warning,
		totalPages: Number.isFinite(totalPages) && totalPages > 0 ? totalPages : undefined,
		// Result rows carry their own id: a row seen twice (a repeated page) is output once.
		keys: rows.map((row) => (row && (typeof row.id === 'string' || typeof row.id === 'number') ? String(row.id) : '')),
	};
}

export interface Squid {
	id: string;
	name: string;
	raw: IDataObject;
}

function squidOf(row: IDataObject): Squid {
	const id = String(row.id ?? row.hash_value ?? '');
	return { id, name: String(row.name ?? id), raw: row };
}

/** One page of GET /squids. */
export async function squidsPage(ctx: RequestContext, page: number, limit = PAGE_SIZE): Promise<{ squids: Squid[]; hasMore: boolean }> {
	const body = await apiRequest(ctx, lobstrApi, { method: 'GET', path: '/squids', qs: { page, limit }, rateLimit: lobstrLimits.squids });
	const rows = Array.isArray(body.data) ? (body.data as IDataObject[]) : [];
	const hasMore = hasMorePages(body, page, rows.length, limit);
	return { squids: rows.map(squidOf).filter((s) => s.id), hasMore };
}

/** The newest runs of one squid (GET /runs?squid=, newest first). */
export async function newestRuns(ctx: RequestContext, squid: string, limit: number): Promise<IDataObject[]> {
	const body = await apiRequest(ctx, lobstrApi, { method: 'GET', path: '/runs', qs: { squid, page: 1, limit }, rateLimit: lobstrLimits.runs, subject: { what: 'squid', id: squid } });
	return Array.isArray(body.data) ? (body.data as IDataObject[]) : [];
}
