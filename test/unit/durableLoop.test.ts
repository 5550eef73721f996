/**
 * "Check Status and Route" (issue 9): one read per job per pass, finished jobs
 * on output 0, the others on output 1 carrying their wait state, so that a loop
 * through n8n's Wait node keeps counting across passes. Run against the
 * Platform emulator over real HTTP; the loop itself (Wait node, restarts) is
 * proven in real n8n by the e2e suite.
 */
import type { IDataObject } from 'n8n-workflow';

import { retryPolicy } from '../../nodes/shared/transport';
import { runNodeOutputs } from '../helpers/n8nContext';
import { startPlatform } from '../helpers/platform';

let platform: Awaited<ReturnType<typeof startPlatform>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 5;
	retryPolicy.maxRetries = 2;
	platform = await startPlatform();
});
afterAll(() => platform.emulator.stop());

const check = (items: IDataObject[], extra: Record<string, unknown> = {}) =>
	runNodeOutputs(platform.options({ operation: 'checkAndRoute', jobId: (i: number) => items[i].id, ...extra }, { items }));

describe('Check Status and Route', () => {
	it('sends finished jobs to "Finished" and running ones to "Still Running", reading each job once', async () => {
		const done = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const before = platform.emulator.server.count('GET');
		const [finished, stillRunning] = await check([{ id: done }, { id: running }, { id: running }]);
		expect(platform.emulator.server.count('GET') - before).toBe(2);
		expect(finished.map((i) => [i.json.id, i.json.status, i.json.timedOut])).toEqual([[done, 'succeeded', false]]);
		expect(stillRunning.map((i) => [i.json.id, i.json.status, i.json.polls])).toEqual([
			[running, 'running', 1],
			[running, 'running', 1],
		]);
		expect(stillRunning.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(Date.parse(stillRunning[0].json.waitStartedAt as string)).toBeLessThanOrEqual(Date.now());
	});

	it('an item coming back round the loop keeps its start time and counts its checks', async () => {
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const startedAt = new Date(Date.now() - 90 * 60_000).toISOString();
		const [, [again]] = await check([{ id: running, waitStartedAt: startedAt, polls: 7, originalJobId: 'job_first' }]);
		expect(again.json).toMatchObject({ id: running, waitStartedAt: startedAt, polls: 8, originalJobId: 'job_first', timedOut: false });
		expect(again.json.waitedSeconds).toBeGreaterThanOrEqual(90 * 60);
	});

	it('gives up after "Give Up After (Hours)": an error by default, or the last state on "Finished" with timedOut', async () => {
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const item = { id: running, waitStartedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(), polls: 40 };
		const error = await check([item], { giveUpAfterHours: 2 }).catch((e) => e);
		expect(error.message).toMatch(new RegExp(`^Job ${running} did not finish within 2 hours \\(last status: running`));
		expect(error.description).toMatch(/Give Up After/);
		const [finished, stillRunning] = await check([item], { giveUpAfterHours: 2, loopOptions: { onGiveUp: 'output' } });
		expect(stillRunning).toHaveLength(0);
		expect(finished[0].json).toMatchObject({ id: running, status: 'running', timedOut: true, polls: 41 });
	});

	it('a failed job fails the item by default, or goes to "Finished" with its status', async () => {
		const failed = platform.emulator.createJob({ queuedMs: 0, runMs: 0, outcome: 'failed', errorMessage: 'Worker ran out of memory' });
		const error = await check([{ id: failed }]).catch((e) => e);
		expect(error.message).toBe(`Job ${failed} failed: Worker ran out of memory`);
		const [finished] = await check([{ id: failed }], { loopOptions: { onJobFailure: 'output' } });
		expect(finished[0].json).toMatchObject({ id: failed, status: 'failed' });
	});

	it('a read that keeps failing with 503 is a missed check: the item goes round again', async () => {
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		platform.emulator.server.inject({ status: 503, count: 10, method: 'GET', pathPrefix: `/jobs/${running}` });
		const [finished, [again]] = await check([{ id: running, status: 'running', polls: 2, waitStartedAt: new Date().toISOString() }]);
		expect(finished).toHaveLength(0);
		expect(again.json).toMatchObject({ id: running, status: 'running', polls: 3 });
		expect(again.json.lastCheckError).toMatch(/503/);
	});

	it('a job that does not exist (404) fails the item at once', async () => {
		const error = await check([{ id: 'job_gone' }]).catch((e) => e);
		expect(error.message).toMatch(/404/);
	});

	it('takes the Job ID from the incoming item by default', async () => {
		const done = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const { PlatformJobs } = await import('../../nodes/PlatformJobs/PlatformJobs.node');
		const idField = new PlatformJobs().description.properties.find(
			(p) => p.name === 'jobId' && p.displayOptions?.show?.operation?.includes('checkAndRoute'),
		);
		expect(idField?.default).toBe('={{ $json.id }}');
		const [finished] = await check([{ id: done }]);
		expect(finished[0].json.id).toBe(done);
	});
});
