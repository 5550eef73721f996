import { sleep } from 'n8n-workflow';

/** Thrown when the user stops the execution while a node is waiting. */
export class ExecutionCancelledError extends Error {
	constructor() {
		super('The execution was cancelled while waiting');
		this.name = 'ExecutionCancelledError';
	}
}

// Sleeping in short slices is what makes a cancel take effect promptly: n8n's
// `sleep` cannot be interrupted, so we never sleep longer than this at a time.
const SLICE_MS = 200;

/** Sleeps `ms`, returning early (by throwing) as soon as `signal` is aborted. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	const end = Date.now() + Math.max(0, ms);
	for (;;) {
		if (signal?.aborted) throw new ExecutionCancelledError();
		const left = end - Date.now();
		if (left <= 0) return;
		await sleep(Math.min(left, SLICE_MS));
	}
}
