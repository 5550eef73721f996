/**
 * Issue 9, item 3: the in-execution wait keeps its word. Timeout is a deadline
 * that retries cannot push out by more than one poll interval, and a read that
 * still fails with 429/5xx/network after its retries is a missed poll — the
 * wait goes on — while a 401/404 still ends the item at once.
 * Against the Platform Jobs emulator, over real HTTP.
 */
import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import { startPlatform } from '../helpers/platform';

let platform: Awaited<ReturnType<typeof startPlatform>>;
const savedPolicy = { ...retryPolicy };

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	platform = await startPlatform();
});
afterAll(async () => {
	Object.assign(retryPolicy, savedPolicy);
	await platform.emulator.stop();
});

const wait = (jobId: string, extra: Record<string, unknown> = {}) => ({ operation: 'waitForCompletion', jobId, pollInterval: 0.5, timeout: 30, ...extra });

describe('Wait for Completion: deadline and missed polls', () => {
	it('a read failing with 503 for longer than its retries is a missed poll: the wait ends with the final state', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 2500 });
		// Three whole reads' worth of 503s (each read is 1 + 4 retries).
		platform.emulator.server.inject({ status: 503, count: 3 * (retryPolicy.maxRetries + 1), method: 'GET', pathPrefix: `/jobs/${id}` });
		const [item] = await runNode(platform.options(wait(id)));
		expect(item.json).toMatchObject({ id, status: 'succeeded', done: true, timedOut: false });
		expect(item.json.polls).toBeGreaterThanOrEqual(1);
	});

	it('Timeout = 2 s under slow retries (Retry-After: 3) ends within one poll interval of the deadline', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		platform.emulator.server.inject({ status: 503, count: 1000, method: 'GET', pathPrefix: `/jobs/${id}`, headers: { 'Retry-After': '3' } });
		const started = Date.now();
		const error = await runNode(platform.options(wait(id, { pollInterval: 1, timeout: 2 }))).catch((e) => e);
		const elapsed = Date.now() - started;
		console.log(`Timeout 2 s, poll 1 s, every read answered 503 with Retry-After 3: ended after ${elapsed} ms`);
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toMatch(/503/);
		expect(elapsed).toBeLessThan(2000 + 1000 + 300);
	});

	it('a job read once, then unreadable until the deadline, times out with its last state (On Timeout: Output Last State)', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		// The first read gets through; every later one is refused with a long Retry-After.
		const started = Date.now();
		const run = runNode(platform.options(wait(id, { pollInterval: 1, timeout: 2, waitOptions: { onTimeout: 'output' } })));
		await new Promise((r) => setTimeout(r, 300));
		platform.emulator.server.inject({ status: 429, count: 1000, method: 'GET', pathPrefix: `/jobs/${id}`, headers: { 'Retry-After': '5' } });
		const [item] = await run;
		const elapsed = Date.now() - started;
		expect(item.json).toMatchObject({ id, status: 'running', timedOut: true });
		expect(elapsed).toBeLessThan(2000 + 1000 + 300);
	});

	it('a 404 still ends the item at once, without waiting for the deadline', async () => {
		const started = Date.now();
		const error = await runNode(platform.options(wait('job_does_not_exist', { timeout: 20 }))).catch((e) => e);
		expect(error.message).toMatch(/404/);
		expect(Date.now() - started).toBeLessThan(2000);
	});
});
