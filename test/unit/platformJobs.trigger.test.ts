import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { PlatformJobsTrigger } from '../../nodes/PlatformJobs/PlatformJobsTrigger.node';
import { MAX_REMEMBERED, FiredJobs } from '../../nodes/shared/trigger';
import { retryPolicy } from '../../nodes/shared/transport';
import { pollContext } from '../helpers/n8nContext';
import { startPlatform } from '../helpers/platform';

let platform: Awaited<ReturnType<typeof startPlatform>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	platform = await startPlatform();
});
afterAll(() => platform.emulator.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function poll(parameters: Record<string, unknown>, staticData: IDataObject, mode: 'trigger' | 'manual' = 'trigger') {
	const ctx = pollContext(platform.triggerOptions(parameters, { staticData, mode }));
	return (await new PlatformJobsTrigger().poll.call(ctx)) as INodeExecutionData[][] | null;
}

describe('Platform Jobs Trigger', () => {
	it('fires once per job as each finishes, across polls and a restart', async () => {
		// Far enough apart that a first poll slowed by a loaded machine (n8n-core's first
		// request sets up its HTTP client) still sees both running.
		const fast = platform.emulator.createJob({ queuedMs: 0, runMs: 600 });
		const slow = platform.emulator.createJob({ queuedMs: 0, runMs: 3000 });
		const params = { jobIds: `${fast}, ${slow}\n${fast}`, outcome: 'any' };
		const staticData: IDataObject = {};
		const fired: string[] = [];
		const record = (out: INodeExecutionData[][] | null) => out?.[0].forEach((i) => fired.push(i.json.id as string));

		record(await poll(params, staticData)); // both still running
		expect(fired).toEqual([]);
		await sleep(900);
		record(await poll(params, staticData));
		expect(fired).toEqual([fast]);
		record(await poll(params, staticData)); // fast still done: must not fire again
		expect(fired).toEqual([fast]);
		await sleep(2300);
		// A restart: new node instance, static data as n8n persisted it.
		const persisted = JSON.parse(JSON.stringify(staticData));
		record(await poll(params, persisted));
		record(await poll(params, persisted));
		expect(fired).toEqual([fast, slow]);
	});

	it('only fires for the chosen outcome, and never later for the others', async () => {
		const ok = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const bad = platform.emulator.createJob({ queuedMs: 0, runMs: 0, outcome: 'failed' });
		const staticData: IDataObject = {};
		const out = await poll({ jobIds: `${ok},${bad}`, outcome: 'failedOrCancelled' }, staticData);
		expect(out![0].map((i) => i.json.id)).toEqual([bad]);
		expect(await poll({ jobIds: `${ok},${bad}`, outcome: 'failedOrCancelled' }, staticData)).toBeNull();
	});

	it('in a manual test returns the first job as a sample and changes no state', async () => {
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const staticData: IDataObject = {};
		const out = await poll({ jobIds: running, outcome: 'any' }, staticData, 'manual');
		expect(out![0][0].json).toMatchObject({ id: running, status: 'running' });
		expect(staticData).toEqual({});
	});

	it('an unreadable id does not hold back the others: it is reported once as an item, then no longer read', async () => {
		const done = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const staticData: IDataObject = {};
		const params = { jobIds: `job_gone, ${done}`, outcome: 'any' };
		const first = await poll(params, staticData);
		expect(first![0].map((i) => i.json.id)).toEqual(['job_gone', done]);
		expect(first![0][0].json).toMatchObject({ notFound: true });
		expect(await poll(params, staticData)).toBeNull();
	});

	it('a rejected API key is an error when no watched job can be read at all', async () => {
		const credentials = { platformJobsApi: { baseUrl: platform.emulator.baseUrl, apiKey: 'wrong' } };
		const ctx = pollContext(platform.triggerOptions({ jobIds: 'job_x', outcome: 'any' }, { staticData: {}, credentials }));
		await expect(new PlatformJobsTrigger().poll.call(ctx)).rejects.toThrow(/401/);
	});

	it('an empty Job IDs field is a clear error', async () => {
		await expect(poll({ jobIds: ' , \n', outcome: 'any' }, {})).rejects.toThrow('The parameter "Job IDs" is empty');
	});

	it('remembers a bounded number of fired jobs', () => {
		const staticData: IDataObject = {};
		const fired = new FiredJobs(staticData, 3);
		['a', 'b', 'c', 'd', 'd'].forEach((k) => fired.add(k));
		expect(staticData.firedJobs).toEqual(['b', 'c', 'd']);
		expect(MAX_REMEMBERED).toBeGreaterThanOrEqual(1000);
	});
});
