import { ExecutionCancelledError } from './pause';

/**
 * How many requests may be in flight at once per key (one credential), shared by
 * every node of this n8n process. Some APIs count simultaneous requests, not
 * requests per minute: the next request past the plan's limit is refused with
 * 429 however slowly the requests come. Holding requests back here keeps a wait
 * round or a paged read inside the limit instead of bouncing off it.
 */
interface Gate {
	inFlight: number;
	waiting: Array<() => void>;
}

const gates = new Map<string, Gate>();

/** Releases the slot taken by `acquireSlot`; calling it twice releases once. */
export type Release = () => void;

/**
 * Waits (first come, first served) until fewer than `max` requests of `key` are in
 * flight, then takes a slot. Throws ExecutionCancelledError if `signal` fires first.
 */
export async function acquireSlot(key: string, max: number, signal?: AbortSignal): Promise<Release> {
	const limit = Math.max(1, Math.floor(max) || 1);
	let gate = gates.get(key);
	if (!gate) gates.set(key, (gate = { inFlight: 0, waiting: [] }));
	const g = gate;
	if (signal?.aborted) throw new ExecutionCancelledError();
	if (g.inFlight >= limit) {
		await new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				const at = g.waiting.indexOf(wake);
				if (at >= 0) g.waiting.splice(at, 1);
				reject(new ExecutionCancelledError());
			};
			const wake = () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			};
			g.waiting.push(wake);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
		// The releasing request handed its slot over: inFlight was not decremented.
	} else {
		g.inFlight++;
	}
	let released = false;
	return () => {
		if (released) return;
		released = true;
		const next = g.waiting.shift();
		if (next) next();
		else g.inFlight--;
	};
}

/** Requests of `key` in flight now (for tests and diagnostics). */
export function inFlight(key: string): number {
	return gates.get(key)?.inFlight ?? 0;
}
