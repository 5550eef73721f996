import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import type { CanonicalJob, JobStatus } from './job';
import type { JobReader } from './jobOperations';
import { onePollAtATime, pollBudgetMs, pollKey, withDeadline } from './pollBudget';

/** The outcome filter of every provider's trigger. */
export type OutcomeFilter = 'any' | 'succeeded' | 'failed' | 'cancelled' | 'failedOrCancelled';

export function matchesOutcome(status: JobStatus, filter: OutcomeFilter): boolean {
	if (filter === 'any') return status === 'succeeded' || status === 'failed' || status === 'cancelled';
	if (filter === 'failedOrCancelled') return status === 'failed' || status === 'cancelled';
	return status === filter;
}

/**
 * How many jobs a memory without a watched list (the webhook trigger's) keeps;
 * beyond it the oldest are forgotten. Watched-ID triggers keep exactly the ids
 * still watched instead, however many.
 */
export const MAX_REMEMBERED = 5000;

/**
 * Remembers which jobs are done with (fired, or finished without matching the
 * outcome filter, or reported as unreadable) in the workflow's static data, so
 * a job fires once across polls and n8n restarts.
 *
 * The list is re-read from the static data on every call rather than kept: two
 * polls of one trigger share that object, and each must see what the other
 * marked. `has` + `add` with no `await` between them is the atomic "claim".
 */
export class FiredJobs {
	constructor(private readonly staticData: IDataObject, private readonly limit = MAX_REMEMBERED) {}

	private get list(): string[] {
		const list = this.staticData.firedJobs;
		return Array.isArray(list) ? (list as string[]) : [];
	}

	/** Writes the list back: n8n saves static data only when a property of an object it wrapped is set. */
	private store(list: string[]): void {
		this.staticData.firedJobs = list;
	}

	has(key: string): boolean {
		return this.list.includes(key);
	}

	/** Marks a job as done with; false when it already was (someone else claimed it). */
	add(key: string): boolean {
		const list = this.list;
		if (list.includes(key)) return false;
		const next = [...list, key];
		this.store(next.length > this.limit ? next.slice(next.length - this.limit) : next);
		return true;
	}

	/** Marks several jobs at once (one write). */
	addAll(keys: Iterable<string>): void {
		const list = this.list;
		const known = new Set(list);
		const added = [...new Set(keys)].filter((k) => !known.has(k));
		if (added.length === 0) return;
		const next = [...list, ...added];
		this.store(next.length > this.limit ? next.slice(next.length - this.limit) : next);
	}

	/** Forgets a job, so it can fire again (e.g. when emitting it failed). */
	remove(key: string): void {
		const list = this.list;
		if (!list.includes(key)) return;
		this.store(list.filter((k) => k !== key));
	}

	/** Keeps only the given ids: a job no longer watched needs no memory, and the memory never drops a watched one. */
	retainOnly(keys: ReadonlySet<string>): void {
		const list = this.list;
		const kept = list.filter((k) => keys.has(k));
		if (kept.length !== list.length) this.store(kept);
	}
}

/** Splits the "Job IDs" field: commas, spaces or new lines; duplicates dropped. */
export function parseIdList(ctx: IPollFunctions, parameterName: string, label: string): string[] {
	const raw = ctx.getNodeParameter(parameterName, '') as unknown;
	const values = Array.isArray(raw) ? raw.map(String) : String(raw ?? '').split(/[\s,;]+/);
	const ids = [...new Set(values.map((v) => v.trim()).filter(Boolean))];
	if (ids.length === 0) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "${label}" is empty`, {
			description: 'Enter at least one ID to watch, separated by commas or new lines.',
		});
	}
	return ids;
}

/** The API says the job does not exist (any more): reading it again will not help. */
export function isGoneError(error: unknown): boolean {
	const code = (error as NodeApiError | undefined)?.httpCode;
	return error instanceof NodeApiError && (code === '404' || code === '410');
}

/** A failure the next poll may not see: rate limits, server errors, timeouts, network errors. */
function isTransientError(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return !(error instanceof NodeOperationError);
	const code = Number(error.httpCode);
	return !code || code === 408 || code === 429 || code >= 500;
}

/** The item a watched-ID trigger emits once for a job it can no longer read. */
function unreadableJobItem(id: string, error: Error): IDataObject {
	const description = (error as NodeApiError).description;
	return {
		id,
		status: 'unknown',
		done: false,
		notFound: true,
		error: `${error.message}. The trigger stopped watching this ID; the other IDs are still watched.`,
		...(description ? { errorDescription: description } : {}),
	};
}

/**
 * One poll of a trigger that watches given job ids: emits each job once, when
 * it first reads as finished and matches the outcome filter. In a manual test
 * it returns the first job's current state and touches no state.
 *
 * - Exactly once when polls overlap: a poll finding the previous one of the
 *   same trigger still busy does nothing, and each job is claimed in the shared
 *   memory at the moment it is read as finished (no `await` between check and
 *   mark), so no two polls emit it.
 * - Bounded: the poll stops at its deadline (see pollBudget.ts), retries
 *   included; ids it did not reach are read first next time.
 * - A job the API no longer knows (404/410) is emitted once as an item with
 *   `notFound: true` and the error, then no longer read: one purged job never
 *   stops the trigger. Other read errors (5xx, 429, network) are retried on the
 *   next poll and never stop the others.
 * - Memory holds exactly the ids still watched, however many.
 */
export async function pollWatchedJobs(
	ctx: IPollFunctions,
	ids: string[],
	readJob: JobReader,
	filter: OutcomeFilter,
): Promise<INodeExecutionData[][] | null> {
	if (ctx.getMode() === 'manual') {
		return [[{ json: await readJob(ctx, ids[0]) }]];
	}
	const budgetMs = pollBudgetMs(ctx);
	return onePollAtATime(pollKey(ctx), budgetMs, async () => {
		const deadline = Date.now() + budgetMs;
		const limited = withDeadline(ctx, deadline);
		const staticData = ctx.getWorkflowStaticData('node');
		const fired = new FiredJobs(staticData, Number.POSITIVE_INFINITY);
		fired.retainOnly(new Set(ids));

		// Start after the id the last poll read last, so a budget too short for
		// every id still reaches them all over a few polls.
		const last = ids.indexOf(String(staticData.lastRead ?? ''));
		const order = last < 0 ? ids : [...ids.slice(last + 1), ...ids.slice(0, last + 1)];
		const out: INodeExecutionData[] = [];
		const failures: string[] = [];
		let anyRead = false;
		let hardError: Error | undefined;
		let lastTried: string | undefined;
		let cutShort = false;
		for (const id of order) {
			if (Date.now() >= deadline) {
				cutShort = true;
				break;
			}
			if (fired.has(id)) continue;
			let job: CanonicalJob;
			lastTried = id;
			try {
				job = await readJob(limited, id);
			} catch (error) {
				if (Date.now() >= deadline) {
					cutShort = true;
					break;
				}
				if (isGoneError(error)) {
					if (fired.add(id)) out.push({ json: unreadableJobItem(id, error as Error) });
				} else {
					failures.push(`${id}: ${(error as Error).message}`);
					if (!isTransientError(error)) hardError ??= error as Error;
				}
				continue;
			}
			anyRead = true;
			if (!job.done) continue;
			// The emit-time decision: another poll may have claimed it while we read.
			if (!fired.add(id)) continue;
			if (matchesOutcome(job.status, filter)) out.push({ json: job });
		}
		// Cut short by the deadline: the next poll starts after the last id tried (also
		// when that read ate the budget). Written only then, so a quiet poll changes
		// nothing and n8n has nothing to save.
		if (cutShort && lastTried !== undefined && staticData.lastRead !== lastTried) staticData.lastRead = lastTried;
		if (failures.length) {
			ctx.logger?.warn(`${ctx.getNode().name}: could not read ${failures.length} watched job(s) this poll; they are read again next poll. ${failures.join(' | ')}`);
		}
		if (out.length) return [out];
		// Nothing could be read and not for a passing reason (a rejected API key,
		// a wrong Base URL): say so, the way n8n shows a failing trigger.
		if (!anyRead && hardError) throw hardError;
		return null;
	});
}
