import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import type { CanonicalJob } from './job';
import { readId, readWaitParameters } from './params';
import type { WaitParameters } from './params';
import { ExecutionCancelledError } from './pause';
import { perItem } from './router';
import type { ItemResult, Operation } from './router';
import type { RequestContext } from './transport';
import { waitForJobs } from './wait';
import type { WaitOutcome } from './wait';

/** Reads one job (or run, or task) and returns it as a canonical job. */
export type JobReader = (ctx: RequestContext, id: string, itemIndex?: number) => Promise<CanonicalJob>;

/**
 * Starts work (start, rerun…) in two steps, so that nothing is started while any
 * item's parameters are wrong: the starter reads and checks the item's
 * parameters (and may read the API, e.g. the job to rerun) and returns `send`,
 * which sends the one start request. `send` is never retried.
 */
export type JobStarter = (ctx: IExecuteFunctions, itemIndex: number) => Promise<SendStart>;
export type SendStart = () => Promise<CanonicalJob>;

export interface IdParameter {
	name: string;
	label: string;
}

/** Get: one canonical job item per input item. */
export function getJobOperation(id: IdParameter, read: JobReader): Operation {
	return perItem(async (ctx, i) => read(ctx, readId(ctx, i, id.name, id.label), i));
}

/** Wait for Completion: every item's job is waited for at the same time. */
export function waitOperation(id: IdParameter, read: JobReader): Operation {
	return {
		async run(ctx, itemIndexes) {
			const results: ItemResult[] = [];
			const waiting: Array<{ itemIndex: number; jobId: string }> = [];
			for (const i of itemIndexes) {
				try {
					waiting.push({ itemIndex: i, jobId: readId(ctx, i, id.name, id.label) });
					results[i] = [];
				} catch (error) {
					results[i] = error as Error;
				}
			}
			// A bad item fails the node now, not after the other jobs finish.
			failFastUnlessContinuing(ctx, results);
			await waitAndSettle(ctx, waiting, read, results);
			return results;
		},
	};
}

/**
 * Start / Rerun / Create: sends the start request once per item (never retried),
 * then, for the items whose "Wait for Completion" is on, either waits for all
 * the new jobs together in this execution, or — when the provider can call back
 * and the user chose it — parks the execution until it does (`parking`).
 * Fields the start result carries beyond the canonical ones (e.g. originalJobId)
 * are kept on the waited item.
 */
export function startOperation(start: JobStarter, read: JobReader, parking?: ParkingWait): Operation {
	return {
		async run(ctx, itemIndexes) {
			const results = await startAll(ctx, itemIndexes, start);
			const waiting: Array<{ itemIndex: number; jobId: string; keep: IDataObject; job: CanonicalJob }> = [];
			for (const i of itemIndexes) {
				const result = results[i];
				if (!Array.isArray(result)) continue;
				if (!ctx.getNodeParameter('waitForCompletion', i, false)) continue;
				const started = result[0].json as CanonicalJob;
				waiting.push({ itemIndex: i, jobId: started.id, keep: linkFields(started), job: started });
			}
			if (waiting.length && parking?.chosen(ctx, waiting[0].itemIndex)) {
				await parking.park(ctx, waiting, results);
				return results;
			}
			await waitAndSettle(ctx, waiting, read, results);
			return results;
		},
	};
}

/** A wait that parks the execution until the provider calls back (see callbackWait.ts). */
export interface ParkingWait {
	/** Whether the user chose this wait for the items (read from the first waiting item). */
	chosen(ctx: IExecuteFunctions, itemIndex: number): boolean;
	park(ctx: IExecuteFunctions, started: Array<{ itemIndex: number; job: CanonicalJob }>, results: ItemResult[]): Promise<void>;
}

/**
 * Checks every item first (no request that starts work is sent while any item is
 * wrong, unless the node continues on fail), then sends the starts in item
 * order. If a start fails part-way without "Continue On Fail", the error names
 * the jobs already started, so none is orphaned or started twice by a rerun.
 */
export async function startAll(ctx: IExecuteFunctions, itemIndexes: number[], start: JobStarter): Promise<ItemResult[]> {
	const results: ItemResult[] = [];
	const sends: Array<SendStart | undefined> = [];
	for (const i of itemIndexes) {
		try {
			sends[i] = await start(ctx, i);
		} catch (error) {
			rethrowIfCancelled(error);
			results[i] = error as Error;
		}
	}
	failFastUnlessContinuing(ctx, results);
	const started: Array<{ itemIndex: number; id: string }> = [];
	for (const i of itemIndexes) {
		const send = sends[i];
		if (!send) continue;
		try {
			const job = await send();
			results[i] = [{ json: job }];
			started.push({ itemIndex: i, id: job.id });
		} catch (error) {
			rethrowIfCancelled(error);
			if (!ctx.continueOnFail()) throw withStartedJobs(ctx.getNode(), error as Error, i, started);
			results[i] = error as Error;
		}
	}
	return results;
}

/** Without "Continue On Fail", the first failed item stops the node before any more work. */
export function failFastUnlessContinuing(ctx: IExecuteFunctions, results: ItemResult[]): void {
	if (ctx.continueOnFail()) return;
	const firstError = results.find((r): r is Error => r instanceof Error);
	if (firstError) throw firstError;
}

function rethrowIfCancelled(error: unknown): void {
	if (error instanceof ExecutionCancelledError) throw error;
}

/** Adds "these jobs were already started" to a start error, so the user can follow them. */
function withStartedJobs(node: INode, error: Error, itemIndex: number, started: Array<{ itemIndex: number; id: string }>): Error {
	if (started.length === 0) return error;
	const list = started.map((s) => `${s.id} (item ${s.itemIndex})`).join(', ');
	const note = `Before item ${itemIndex} failed, ${started.length} job(s) were already started: ${list}. They are running: do not start them again; follow them with Get or Wait for Completion.`;
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.description = [error.description, note].filter(Boolean).join(' ');
		(error.context as IDataObject).startedJobIds = started.map((s) => s.id);
		return error;
	}
	return new NodeOperationError(node, error, { itemIndex, description: note });
}

/**
 * Waits for the given items' jobs (with the first waiting item's settings, which
 * the UI shows once for all items) and writes each item's result into `results`.
 */
async function waitAndSettle(
	ctx: IExecuteFunctions,
	waiting: Array<{ itemIndex: number; jobId: string; keep?: IDataObject }>,
	read: JobReader,
	results: ItemResult[],
): Promise<void> {
	if (waiting.length === 0) return;
	let settings: WaitParameters;
	try {
		settings = readWaitParameters(ctx, waiting[0].itemIndex);
	} catch (error) {
		for (const w of waiting) results[w.itemIndex] = error as Error;
		return;
	}
	const outcomes = await waitForJobs(
		waiting.map((w) => w.jobId),
		(jobId) => read(ctx, jobId, waiting.find((w) => w.jobId === jobId)?.itemIndex),
		settings,
	);
	waiting.forEach((w, n) => {
		results[w.itemIndex] = settle(ctx.getNode(), w.jobId, outcomes[n], settings, w.itemIndex, w.keep);
	});
}

const WAIT_TIMEOUT_HINT =
	'Raise "Timeout (Seconds)", or set "On Timeout" to "Output Last State" to continue anyway. For jobs that run longer than a few minutes, ' +
	'use the "Check Status and Route" operation in a loop with n8n\'s Wait node: it frees n8n while the job runs and survives restarts.';

export interface SettleSettings extends Pick<WaitParameters, 'onJobFailure' | 'onTimeout' | 'timeoutMs'> {
	/** How the limit reads in the message ("600 seconds", "24 hours"). */
	timeoutText?: string;
	/** What the user can do when the limit passes. */
	timeoutHint?: string;
}

/** Turns one wait outcome into the item's output or error, per the user's choices. */
export function settle(
	node: INode,
	jobId: string,
	outcome: WaitOutcome,
	settings: SettleSettings,
	itemIndex: number,
	keep: IDataObject = {},
): ItemResult {
	if (outcome.error || !outcome.job) return outcome.error ?? new Error(`Job ${jobId} could not be read`);
	const job = outcome.job;
	if (outcome.timedOut && settings.onTimeout === 'error') {
		const progress = job.progress === null ? '' : `, ${job.progress}% done`;
		return new NodeOperationError(
			node,
			`Job ${jobId} did not finish within ${settings.timeoutText ?? `${settings.timeoutMs / 1000} seconds`} (last status: ${job.status}${progress})`,
			{ itemIndex, description: settings.timeoutHint ?? WAIT_TIMEOUT_HINT },
		);
	}
	if ((job.status === 'failed' || job.status === 'cancelled') && settings.onJobFailure === 'error') {
		return new NodeOperationError(
			node,
			`Job ${jobId} ${job.status === 'failed' ? 'failed' : 'was cancelled'}: ${job.error ?? `provider status "${job.providerStatus}"`}`,
			{ itemIndex, description: 'Set "On Failed or Cancelled Job" to "Output the Job" to continue with it instead.' },
		);
	}
	return [
		{
			json: withFields(job, {
				// Fields only the start response had (e.g. originalJobId); fresher reads win.
				...Object.fromEntries(Object.entries(keep).filter(([key]) => !(key in job))),
				waitedSeconds: Math.round(outcome.waitedMs / 100) / 10,
				polls: outcome.polls,
				timedOut: outcome.timedOut,
			}),
		},
	];
}

/** Adds fields to a job item, keeping `raw` last so the useful columns come first. */
export function withFields(job: CanonicalJob, fields: IDataObject): CanonicalJob {
	const { raw, ...rest } = job;
	return { ...rest, ...fields, raw } as CanonicalJob;
}

const CANONICAL_KEYS = new Set([
	'id', 'provider', 'status', 'providerStatus', 'done', 'progress', 'createdAt',
	'startedAt', 'finishedAt', 'error', 'resultCount', 'raw',
]);

/** The non-canonical fields of a started job (originalJobId, squid …) worth keeping. */
export function linkFields(job: CanonicalJob): IDataObject {
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(job)) if (!CANONICAL_KEYS.has(key)) out[key] = value;
	return out;
}
