import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import type { CanonicalJob, JobStatus } from './job';

/** The outcome filter of every provider's trigger. */
export type OutcomeFilter = 'any' | 'succeeded' | 'failed' | 'cancelled' | 'failedOrCancelled';

export function matchesOutcome(status: JobStatus, filter: OutcomeFilter): boolean {
	if (filter === 'any') return status === 'succeeded' || status === 'failed' || status === 'cancelled';
	if (filter === 'failedOrCancelled') return status === 'failed' || status === 'cancelled';
	return status === filter;
}

/** Beyond this many remembered jobs, the oldest are forgotten (static data stays small). */
export const MAX_REMEMBERED = 5000;

/**
 * Remembers which jobs already fired, in the workflow's static data, so a job
 * that stays finished over many polls (or across an n8n restart) fires once.
 */
export class FiredJobs {
	private readonly list: string[];

	constructor(private readonly staticData: IDataObject, private readonly limit = MAX_REMEMBERED) {
		if (!Array.isArray(staticData.firedJobs)) staticData.firedJobs = [];
		this.list = staticData.firedJobs as string[];
	}

	has(key: string): boolean {
		return this.list.includes(key);
	}

	add(key: string): void {
		if (this.has(key)) return;
		this.list.push(key);
		if (this.list.length > this.limit) this.list.splice(0, this.list.length - this.limit);
		// Assign, don't only push: n8n saves static data only when a property of an
		// object it wrapped is set, and an array created during this poll is not wrapped.
		this.staticData.firedJobs = this.list;
	}

	/** Forgets a job, so it can fire again (e.g. when emitting it failed). */
	remove(key: string): void {
		const at = this.list.indexOf(key);
		if (at < 0) return;
		this.list.splice(at, 1);
		this.staticData.firedJobs = this.list;
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

/**
 * One poll of a trigger that watches given job ids: emits each job once, when it
 * first reads as finished and matches the outcome filter. In a manual test it
 * returns the first job's current state and touches no state.
 *
 * A job that cannot be read (deleted, wrong id) does not hold the others back:
 * its error is raised only when nothing else fired, so it is seen on the next
 * quiet poll rather than lost.
 */
export async function pollWatchedJobs(
	ctx: IPollFunctions,
	ids: string[],
	readJob: (id: string) => Promise<CanonicalJob>,
	filter: OutcomeFilter,
): Promise<INodeExecutionData[][] | null> {
	if (ctx.getMode() === 'manual') {
		return [[{ json: await readJob(ids[0]) }]];
	}
	const fired = new FiredJobs(ctx.getWorkflowStaticData('node'));
	const out: INodeExecutionData[] = [];
	let firstError: Error | undefined;
	for (const id of ids) {
		if (fired.has(id)) continue;
		let job: CanonicalJob;
		try {
			job = await readJob(id);
		} catch (error) {
			firstError ??= error as Error;
			continue;
		}
		if (!job.done) continue;
		fired.add(id);
		if (matchesOutcome(job.status, filter)) out.push({ json: job });
	}
	if (out.length) return [out];
	if (firstError) throw firstError;
	return null;
}
