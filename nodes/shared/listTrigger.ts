import type { IDataObject } from 'n8n-workflow';

import type { CanonicalJob } from './job';
import { isGoneError, matchesOutcome } from './trigger';
import type { OutcomeFilter } from './trigger';

/**
 * State of a trigger that watches *lists* of jobs (each project's newest runs,
 * say) rather than given ids. Kept in the node's static data:
 * - `scopes[key]`: the finished jobs seen in that scope, newest last, kept beyond
 *   the current listing (up to `rememberPerScope`): when a newer job is deleted,
 *   the listing window shifts back and shows an older finished job again, which
 *   must not fire a second time.
 * - `cursor`: where the next poll starts, so that when a poll cannot afford to
 *   list every scope (rate limits, poll budget), the next one carries on.
 * - `activatedAt` / `baselineDone`: jobs that finished before the trigger was
 *   switched on never fire.
 */
interface ListWatchState extends IDataObject {
	activatedAt: number;
	baselineDone: boolean;
	cursor: number;
	scopes: Record<string, string[]>;
}

export interface ListPollOptions {
	/** Every scope to watch (e.g. project ids), in a stable order. */
	scopes: string[];
	/** The scope's newest jobs (newest first is not required). */
	listJobs: (scope: string) => Promise<CanonicalJob[]>;
	filter: OutcomeFilter;
	/** Whether one more `listJobs` call fits in this poll (rate limits, time budget). */
	canAfford: () => boolean;
	now?: number;
}

/** Finished ids remembered per scope: several listings' worth, so a shifted window never re-fires. */
export function rememberPerScope(listingSize: number): number {
	return Math.max(150, 3 * listingSize);
}

export interface ListPollOutcome {
	/** Jobs to emit, oldest finish first. */
	fired: CanonicalJob[];
	/** Scopes listed in this poll. */
	checked: string[];
	/** Whether this poll only recorded what had already finished (first activation). */
	baseline: boolean;
	/** A listing that failed; the poll stopped there and the next one starts with it. */
	error?: Error;
	/** Scopes the API no longer knows (404/410): skipped, so they never hold the others back. */
	gone: string[];
}

function stateOf(staticData: IDataObject, now: number): ListWatchState {
	const existing = staticData.listWatch as ListWatchState | undefined;
	if (existing && typeof existing === 'object' && existing.scopes) return existing;
	const created: ListWatchState = { activatedAt: now, baselineDone: false, cursor: 0, scopes: {} };
	staticData.listWatch = created;
	return created;
}

/**
 * One poll over listed jobs: lists as many scopes as it can afford, starting
 * where the last poll stopped, and returns each job once, when it is first seen
 * finished (and matches the outcome filter).
 *
 * No job that finished before activation fires: the first poll only records
 * what it sees; a scope first listed in a later poll (because the first poll
 * could not afford it, or it is new) records the jobs that finished before
 * `activatedAt` and fires the others.
 */
export async function pollListedJobs(staticData: IDataObject, options: ListPollOptions): Promise<ListPollOutcome> {
	const now = options.now ?? Date.now();
	const state = stateOf(staticData, now);
	const baseline = !state.baselineDone;
	const scopes = options.scopes;
	const fired: CanonicalJob[] = [];
	const checked: string[] = [];
	const gone: string[] = [];
	const start = scopes.length ? state.cursor % scopes.length : 0;
	let failure: Error | undefined;

	for (let n = 0; n < scopes.length; n++) {
		if (!options.canAfford()) break;
		const scope = scopes[(start + n) % scopes.length];
		let jobs: CanonicalJob[];
		try {
			jobs = await options.listJobs(scope);
		} catch (error) {
			if (isGoneError(error)) {
				gone.push(scope);
				checked.push(scope);
				continue;
			}
			// Keep what was found so far (the state already counts it as seen).
			failure = error as Error;
			break;
		}
		checked.push(scope);
		// Re-read after the await and decide without another await: a poll that
		// overlapped this one may have recorded (and fired) some of these meanwhile.
		const current = stateOf(staticData, now);
		const known = current.scopes[scope];
		const seen = new Set(known ?? []);
		const remembered = [...(known ?? [])];
		for (const job of jobs) {
			if (!job.done || seen.has(job.id)) continue;
			seen.add(job.id);
			remembered.push(job.id);
			const finishedAt = job.finishedAt ? Date.parse(job.finishedAt) : NaN;
			// Before activation: never fires. Without a finish time it counts as before
			// only in a scope seen for the first time (its old runs are not news).
			const finishedBeforeActivation = Number.isNaN(finishedAt) ? known === undefined : finishedAt < current.activatedAt;
			if (baseline || finishedBeforeActivation) continue;
			if (matchesOutcome(job.status, options.filter)) fired.push(job);
		}
		const keep = rememberPerScope(jobs.length);
		current.scopes[scope] = remembered.length > keep ? remembered.slice(remembered.length - keep) : remembered;
	}

	const final = stateOf(staticData, now);
	final.cursor = scopes.length ? (start + checked.length) % scopes.length : 0;
	if (!failure) final.baselineDone = true;
	// Scopes no longer watched (deleted, unselected) are forgotten.
	const watched = new Set(scopes);
	for (const key of Object.keys(final.scopes)) if (!watched.has(key)) delete final.scopes[key];

	// Assign, don't only mutate: n8n saves static data only when a property of an
	// object it observes is set, and a state object created in an earlier poll is
	// not observed — without this, nothing learned after the first poll survives a restart.
	staticData.listWatch = final;

	fired.sort((a, b) => (Date.parse(a.finishedAt ?? '') || 0) - (Date.parse(b.finishedAt ?? '') || 0));
	return { fired, checked, baseline, gone, ...(failure ? { error: failure } : {}) };
}
