import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import { startPlatform } from '../helpers/platform';

let platform: Awaited<ReturnType<typeof startPlatform>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	platform = await startPlatform();
});
afterAll(() => platform.emulator.stop());

const wait = (jobId: unknown, extra: Record<string, unknown> = {}) => ({
	operation: 'waitForCompletion',
	jobId,
	pollInterval: 0.5,
	timeout: 30,
	...extra,
});

describe('Platform Jobs: Wait for Completion', () => {
	it('50 items wait on 50 jobs of different lengths in about the time of the longest', async () => {
		const lengths = Array.from({ length: 50 }, (_, i) => 200 + i * 100); // 0.2 s … 5.1 s
		const ids = lengths.map((runMs) => platform.emulator.createJob({ queuedMs: 0, runMs }));
		const before = platform.emulator.server.count('GET');
		const started = Date.now();
		const items = await runNode(platform.options(wait((i: number) => ids[i]), { items: ids.map(() => ({})) }));
		const wallMs = Date.now() - started;
		const requests = platform.emulator.server.count('GET') - before;
		const longest = Math.max(...lengths);
		const sum = lengths.reduce((a, b) => a + b, 0);
		console.log(
			`50 jobs: wall ${wallMs} ms, longest job ${longest} ms, sum of jobs ${sum} ms, ${requests} GET requests (${(requests / 50).toFixed(1)} per job)`,
		);
		expect(items).toHaveLength(50);
		expect(items.every((i) => i.json.status === 'succeeded')).toBe(true);
		expect(items.map((i) => i.json.id)).toEqual(ids);
		expect(items.map((i) => i.pairedItem)).toEqual(ids.map((_, item) => ({ item })));
		// One poll interval of slack past the longest job, plus scheduling noise.
		expect(wallMs).toBeLessThan(longest + 500 + 1500);
		// Finished jobs are not read again: far fewer reads than 50 × rounds.
		expect(requests).toBeLessThan(50 * Math.ceil(longest / 500 + 1) * 0.75);
		const last = items[49].json;
		expect(last.polls).toBeGreaterThanOrEqual(10);
		expect(last.timedOut).toBe(false);
		expect(last.waitedSeconds).toBeGreaterThan(4.5);
		// Wait fields come before raw.
		expect(Object.keys(last).slice(-1)).toEqual(['raw']);
	});

	it('reads a job that several items wait on once per round', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 1200 });
		const before = platform.emulator.server.count('GET', `/jobs/${id}`);
		const items = await runNode(platform.options(wait(id), { items: [{}, {}, {}, {}] }));
		expect(items).toHaveLength(4);
		const reads = platform.emulator.server.count('GET', `/jobs/${id}`) - before;
		expect(reads).toBe(items[0].json.polls);
	});

	it('stops promptly when the execution is cancelled mid-wait', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const controller = new AbortController();
		const pollIntervalSeconds = 5;
		const started = Date.now();
		let abortedAt = 0;
		setTimeout(() => {
			abortedAt = Date.now();
			controller.abort();
		}, 1200);
		const error = await runNode(
			platform.options(wait(id, { pollInterval: pollIntervalSeconds, timeout: 300 }), { signal: controller.signal }),
		).catch((e) => e);
		const returnedAfterAbortMs = Date.now() - abortedAt;
		console.log(`cancelled mid-wait: returned ${returnedAfterAbortMs} ms after the cancel (poll interval ${pollIntervalSeconds * 1000} ms, total ${Date.now() - started} ms)`);
		expect(error.message).toBe('Stopped waiting: the execution was cancelled');
		expect(returnedAfterAbortMs).toBeLessThan(pollIntervalSeconds * 1000);
		expect(returnedAfterAbortMs).toBeLessThan(1000);
	});

	it('fails the item for a failed job by default, with the job error', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 300, outcome: 'failed', errorMessage: 'PDF parser crashed' });
		await expect(runNode(platform.options(wait(id)))).rejects.toThrow(`Job ${id} failed: PDF parser crashed`);
	});

	it('outputs failed and cancelled jobs with their status when asked to', async () => {
		const failed = platform.emulator.createJob({ queuedMs: 0, runMs: 300, outcome: 'failed' });
		const cancelled = platform.emulator.createJob({ queuedMs: 0, runMs: 300, outcome: 'cancelled' });
		const items = await runNode(
			platform.options(wait((i: number) => [failed, cancelled][i], { waitOptions: { onJobFailure: 'output' } }), { items: [{}, {}] }),
		);
		expect(items.map((i) => [i.json.status, i.json.done])).toEqual([['failed', true], ['cancelled', true]]);
		expect(items[0].json.error).toBe('Worker crashed');
	});

	it('fails on timeout by default, naming the last status and what to do', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const error = await runNode(platform.options(wait(id, { timeout: 1.2 }))).catch((e) => e);
		expect(error.message).toMatch(new RegExp(`^Job ${id} did not finish within 1.2 seconds \\(last status: running, \\d+(\\.\\d+)?% done\\)$`));
		expect(error.description).toMatch(/"Check Status and Route" operation in a loop with n8n.s Wait node/);
	});

	it('outputs the last state with timedOut on timeout when asked to', async () => {
		const id = platform.emulator.createJob({ queuedMs: 60_000 });
		const [item] = await runNode(platform.options(wait(id, { timeout: 1, waitOptions: { onTimeout: 'output' } })));
		expect(item.json).toMatchObject({ id, status: 'queued', done: false, timedOut: true });
		expect(item.json.waitedSeconds).toBeGreaterThanOrEqual(1);
	});

	it('with continueOnFail, one unknown job does not lose the others', async () => {
		const good = platform.emulator.createJob({ queuedMs: 0, runMs: 300 });
		const items = await runNode(
			platform.options(wait((i: number) => [good, 'job_nope', ''][i]), { items: [{}, {}, {}], continueOnFail: true }),
		);
		expect(items[0].json.status).toBe('succeeded');
		expect(items[1].json.error).toMatch(/404: Job not found/);
		expect(items[2].json.error).toBe('The parameter "Job ID" is empty in item 2');
	});

	it('backs off: fewer polls than a fixed interval would make', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 4000 });
		const [item] = await runNode(platform.options(wait(id, { waitOptions: { backoff: true, maxPollInterval: 2 } })));
		// Fixed 0.5 s would poll ~9 times; 0.5, 0.75, 1.1, 1.7, 2, 2 … polls ~5 times.
		expect(item.json.polls).toBeLessThanOrEqual(6);
		expect(item.json.status).toBe('succeeded');
	});
});

describe('Platform Jobs: Rerun', () => {
	it('reruns natively and links the new job to the original', async () => {
		const original = platform.emulator.createJob({ queuedMs: 0, runMs: 0, outcome: 'failed' });
		const [item] = await runNode(platform.options({ operation: 'rerun', jobId: original }));
		expect(item.json).toMatchObject({ status: 'queued', providerStatus: 'pending', originalJobId: original });
		expect(item.json.id).not.toBe(original);
		expect(platform.emulator.jobs.has(item.json.id as string)).toBe(true);
	});

	it('can wait for the new job, keeping the link', async () => {
		const original = platform.emulator.createJob({ queuedMs: 0, runMs: 0, rerunPlan: { queuedMs: 100, runMs: 600 } });
		const [item] = await runNode(platform.options({ operation: 'rerun', jobId: original, waitForCompletion: true, pollInterval: 0.5, timeout: 20 }));
		expect(item.json).toMatchObject({ status: 'succeeded', originalJobId: original, timedOut: false });
		expect(item.json.polls).toBeGreaterThanOrEqual(2);
	});

	it('a rerun the API refuses (job still running) is a clear error, sent once', async () => {
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const error = await runNode(platform.options({ operation: 'rerun', jobId: running })).catch((e) => e);
		expect(error.message).toBe('Platform Jobs API error 409: Job is still in progress and cannot be rerun');
		expect(platform.emulator.server.count('POST', `/jobs/${running}/rerun`)).toBe(1);
	});
});
