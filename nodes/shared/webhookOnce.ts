import type { IDataObject } from 'n8n-workflow';

import { FiredJobs } from './trigger';

/**
 * Exactly once for a trigger started by a provider's webhook calls, which the
 * provider repeats (retries, duplicates, several at the same moment).
 *
 * Why not simply remember fired jobs in static data from `webhook()`: in n8n
 * 2.x a webhook call that starts an execution does NOT save what `webhook()`
 * wrote to static data (starting the execution builds a new Workflow over the
 * same static-data object, which resets its "changed" flag before n8n's save).
 * Calls that start nothing are saved. Writes made *during the execution* are
 * saved when it ends. So:
 *
 * 1. In this process, a job is claimed synchronously (no `await` between check
 *    and claim) before anything else: of several simultaneous calls one goes on.
 *    The claim is released if the call ends without starting the workflow
 *    (the job is not finished yet, the read failed), so the provider's retry can.
 * 2. A started job stays in this process's memory (a day, at most `MAX_RECENT`
 *    per trigger): later calls are duplicates even before anything is saved.
 * 3. The node's `execute()`, which n8n runs inside the execution with the
 *    webhook's items, records the jobs in static data: saved when the execution
 *    ends, so a restart keeps it. (In queue mode that runs on a worker.)
 * 4. Every call that starts nothing (duplicates, ignored jobs) writes this
 *    process's recent jobs into static data too — saved at once — which also
 *    repairs a record two overlapping executions overwrote with each other's.
 */

const DAY_MS = 24 * 60 * 60_000;
export const MAX_RECENT = 5000;

interface TriggerMemory {
	claimed: Set<string>;
	/** Job id → when it started the workflow. */
	fired: Map<string, number>;
}

const memories = new Map<string, TriggerMemory>();

function memoryOf(key: string): TriggerMemory {
	let memory = memories.get(key);
	if (!memory) {
		memory = { claimed: new Set(), fired: new Map() };
		memories.set(key, memory);
	}
	const cutoff = Date.now() - DAY_MS;
	for (const [id, at] of memory.fired) {
		if (at >= cutoff && memory.fired.size <= MAX_RECENT) break;
		memory.fired.delete(id);
	}
	return memory;
}

export class WebhookOnce {
	private readonly memory: TriggerMemory;

	/** `key`: one per trigger node of a workflow (workflow id + node id). */
	constructor(key: string, private readonly staticData: IDataObject) {
		this.memory = memoryOf(key);
	}

	/** Whether the job already started the workflow (or was handled), here or as saved. */
	isDone(jobId: string): boolean {
		return this.memory.fired.has(jobId) || new FiredJobs(this.staticData).has(jobId);
	}

	/** Claims the job for this call; false when it is done or another call holds it. Synchronous on purpose. */
	claim(jobId: string): boolean {
		if (this.memory.claimed.has(jobId) || this.isDone(jobId)) return false;
		this.memory.claimed.add(jobId);
		return true;
	}

	/** The call ends without starting the workflow: a later call may fire the job. */
	release(jobId: string): void {
		this.memory.claimed.delete(jobId);
	}

	/** The call starts the workflow for the job (or handled it for good, e.g. filtered out). */
	done(jobId: string): void {
		this.memory.claimed.delete(jobId);
		this.memory.fired.delete(jobId);
		this.memory.fired.set(jobId, Date.now());
	}

	/** Writes the jobs this process handled recently into static data (saved by n8n when no execution starts). */
	persistRecent(): void {
		new FiredJobs(this.staticData).addAll(this.memory.fired.keys());
	}
}

/** Records jobs in static data from inside the execution (see 3. above). */
export function recordInExecution(key: string, staticData: IDataObject, jobIds: string[]): void {
	// Same process as the webhook (regular mode): carry its recent jobs too.
	const recent = memories.get(key)?.fired.keys() ?? [];
	new FiredJobs(staticData).addAll([...recent, ...jobIds]);
}
