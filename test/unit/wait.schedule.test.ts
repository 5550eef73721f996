/**
 * Issue 13, goals 1, 2 and 5: each job is read on its own schedule. A job that
 * reports progress is read less often while far from done and still detected
 * within one poll interval of finishing; a server quota (X-RateLimit-*) that
 * would run out spreads the reads instead of running into 429s.
 * Against the Platform Jobs emulator, over real HTTP.
 */
import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import { startPlatform } from '../helpers/platform';

jest.setTimeout(60_000);

let platform: Awaited<ReturnType<typeof startPlatform>>;
const savedPolicy = { ...retryPolicy };

beforeEach(async () => {
	retryPolicy.baseDelayMs = 20;
	platform = await startPlatform();
	platform.emulator.rateLimit.limit = 1_000_000;
});
afterEach(async () => {
	Object.assign(retryPolicy, savedPolicy);
	await platform.emulator.stop();
});

const wait = (jobId: unknown, extra: Record<string, unknown> = {}) => ({ operation: 'waitForCompletion', jobId, timeout: 60, ...extra });

/** When each job ended on the emulator's clock, and when the wait saw it. */
function detection(ids: string[], items: Array<{ json: Record<string, unknown> }>, waitStart: number, plan: { queuedMs: number; runMs: number[] }) {
	return ids.map((id, n) => {
		const job = platform.emulator.jobs.get(id)!;
		const endedAt = job.createdAt + plan.queuedMs + plan.runMs[n];
		const seenAt = waitStart + Number(items[n].json.waitedSeconds) * 1000;
		return seenAt - endedAt;
	});
}

describe('read schedule from progress', () => {
	it('jobs with progress: at most half the reads of a fixed interval, each seen within one interval (+10 %) of finishing', async () => {
		const interval = 0.5;
		const runMs = [6000, 7000, 8000, 9000, 10_000, 12_000];
		const ids = runMs.map((ms) => platform.emulator.createJob({ queuedMs: 0, runMs: ms }));
		const before = platform.emulator.server.count('GET');
		const waitStart = Date.now();
		const items = await runNode(platform.options(wait((i: number) => ids[i], { pollInterval: interval }), { items: ids.map(() => ({})) }));
		const reads = platform.emulator.server.count('GET') - before;
		// A fixed interval reads each job once per interval until it is seen finished.
		const fixedReads = runMs.reduce((sum, ms) => sum + Math.ceil(ms / (interval * 1000)) + 1, 0);
		const late = detection(ids, items, waitStart, { queuedMs: 0, runMs });
		console.log(`Read by Progress: ${reads} reads (a fixed ${interval} s interval: ${fixedReads}); seen late by ${late.map((ms) => Math.round(ms)).join(', ')} ms`);
		expect(items.every((i) => i.json.status === 'succeeded')).toBe(true);
		expect(reads).toBeLessThanOrEqual(fixedReads * 0.5);
		// The item's waitedSeconds is rounded to 0.1 s.
		for (const ms of late) expect(ms).toBeLessThanOrEqual(interval * 1000 * 1.1 + 100);
	});

	it('with Read by Progress off, every job is read every interval, as before', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 4000 });
		const [item] = await runNode(platform.options(wait(id, { pollInterval: 0.5, waitOptions: { readByProgress: false } })));
		expect(item.json.polls).toBeGreaterThanOrEqual(8);
	});

	it('a job without progress signals (queued the whole time) is read every interval', async () => {
		const id = platform.emulator.createJob({ queuedMs: 3000, runMs: 0 });
		const [item] = await runNode(platform.options(wait(id, { pollInterval: 0.5 })));
		expect(item.json.status).toBe('succeeded');
		expect(item.json.polls).toBeGreaterThanOrEqual(6);
	});
});

describe('read concurrency fits the job count', () => {
	it('200 jobs: 20 reads at a time (a round of 200 reads of 50 ms takes 0.5 s, not the 1 s of 10 at a time)', async () => {
		// Answers take 0.5 s, so the reads that arrive before the first answer are the ones in flight at once.
		platform.emulator.server.latencyMs = 500;
		const ids = Array.from({ length: 200 }, () => platform.emulator.createJob({ queuedMs: 0, runMs: 0 }));
		const before = platform.emulator.server.requests.length;
		await runNode(
			platform.options(wait((i: number) => ids[i], { pollInterval: 5, timeout: 30 }), { items: ids.map(() => ({})) }),
		);
		const arrivals = platform.emulator.server.requests.slice(before).map((r) => r.at);
		const atOnce = arrivals.filter((t) => t < arrivals[0] + 450).length;
		console.log(`200 jobs: ${atOnce} reads in flight at once`);
		expect(atOnce).toBeGreaterThanOrEqual(18);
		expect(atOnce).toBeLessThanOrEqual(20);
	});

	it('3 jobs: no more reads at once than jobs', async () => {
		platform.emulator.server.latencyMs = 300;
		const ids = Array.from({ length: 3 }, () => platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 }));
		const before = platform.emulator.server.requests.length;
		await runNode(platform.options(wait((i: number) => ids[i], { pollInterval: 5, timeout: 0.3, waitOptions: { onTimeout: 'output' } }), { items: ids.map(() => ({})) }));
		const arrivals = platform.emulator.server.requests.slice(before).map((r) => r.at);
		expect(arrivals.filter((t) => t < arrivals[0] + 250).length).toBe(3);
	});
});

describe('quota (X-RateLimit-Remaining)', () => {
	it('a wait that would use up the quota spreads its reads: every job finishes and no request gets a 429', async () => {
		// 36 requests per 6 s window; 8 jobs of 4 s at a 0.2 s interval would want 8 × 20 = 160.
		platform.emulator.rateLimit.limit = 36;
		platform.emulator.rateLimit.windowMs = 6000;
		const ids = Array.from({ length: 8 }, () => platform.emulator.createJob({ queuedMs: 0, runMs: 4000 }));
		const started = Date.now();
		const items = await runNode(
			platform.options(wait((i: number) => ids[i], { pollInterval: 0.2, waitOptions: { readByProgress: false } }), { items: ids.map(() => ({})) }),
		);
		console.log(`quota 36 / 6 s, 8 jobs of 4 s at 0.2 s: ${platform.emulator.server.count('GET')} requests, ${platform.emulator.rateLimit.rejected} × 429, ${Date.now() - started} ms`);
		expect(items.every((i) => i.json.status === 'succeeded')).toBe(true);
		expect(platform.emulator.rateLimit.rejected).toBe(0);
		// Spread, not stalled: done soon after the first quota window refills.
		expect(Date.now() - started).toBeLessThan(10_000);
	});
});
