/**
 * Starting paid work must fail fast: a bad item stops the node before any start
 * request is sent, and a start that fails part-way names the jobs already
 * started (issue 10, item 1).
 */
import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import { startPlatform } from '../helpers/platform';

let platform: Awaited<ReturnType<typeof startPlatform>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	platform = await startPlatform();
});
afterAll(() => platform.emulator.stop());

const finishedJob = () => platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
const rerunPosts = () => platform.emulator.server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/rerun')).length;

describe('Start / Rerun: fail fast', () => {
	it('a 3-item Rerun whose middle item has an empty ID sends no POST and names the parameter', async () => {
		const ids = [finishedJob(), '', finishedJob()];
		const before = rerunPosts();
		const error = await runNode(platform.options({ operation: 'rerun', jobId: (i: number) => ids[i] }, { items: [{}, {}, {}] })).catch((e) => e);
		expect(error.message).toBe('The parameter "Job ID" is empty in item 1');
		expect(rerunPosts() - before).toBe(0);
	});

	it('with Continue On Fail, the good items are started and the bad one becomes an error item', async () => {
		const ids = [finishedJob(), '', finishedJob()];
		const before = rerunPosts();
		const items = await runNode(
			platform.options({ operation: 'rerun', jobId: (i: number) => ids[i] }, { items: [{}, {}, {}], continueOnFail: true }),
		);
		expect(rerunPosts() - before).toBe(2);
		expect(items.map((i) => i.json.originalJobId ?? i.json.error)).toEqual([ids[0], 'The parameter "Job ID" is empty in item 1', ids[2]]);
	});

	it('a start that fails part-way names the jobs already started, so none is orphaned', async () => {
		const ids = [finishedJob(), finishedJob(), finishedJob()];
		platform.emulator.server.inject({
			status: 503,
			count: 1,
			method: 'POST',
			pathPrefix: `/jobs/${ids[1]}/rerun`,
			body: { data: null, error: { name: 'Unavailable', message: 'Service temporarily unavailable' } },
		});
		const before = rerunPosts();
		const error = await runNode(platform.options({ operation: 'rerun', jobId: (i: number) => ids[i] }, { items: [{}, {}, {}] })).catch((e) => e);
		// Item 0 was started, item 1 failed, item 2 was never sent.
		expect(rerunPosts() - before).toBe(2);
		expect(error.message).toMatch(/503/);
		expect(error.description).toMatch(/1 job\(s\) were already started: job_[\w-]+ \(item 0\)/);
		expect(error.context.startedJobIds).toHaveLength(1);
		expect(error.context.startedJobIds[0]).not.toBe(ids[0]);
	});

	it('Wait for Completion reports a bad item at once, not after the other jobs finish', async () => {
		const slow = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const ids = [slow, ''];
		const started = Date.now();
		const error = await runNode(
			platform.options({ operation: 'waitForCompletion', jobId: (i: number) => ids[i], pollInterval: 1, timeout: 30 }, { items: [{}, {}] }),
		).catch((e) => e);
		expect(error.message).toBe('The parameter "Job ID" is empty in item 1');
		expect(Date.now() - started).toBeLessThan(2000);
	});
});
