/**
 * Triggers fire each job exactly once: when polls overlap, when a watched job
 * vanishes, past thousands of watched jobs, when a Lobstr listing window
 * shifts, and within a poll time budget. Real poll() calls against the
 * emulators over HTTP, with the static data object n8n keeps between polls.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { LobstrTrigger } from '../../nodes/Lobstr/LobstrTrigger.node';
import { PlatformJobsTrigger } from '../../nodes/PlatformJobs/PlatformJobsTrigger.node';
import { MIN_POLL_BUDGET_MS, pollIntervalMs } from '../../nodes/shared/pollBudget';
import { retryPolicy } from '../../nodes/shared/transport';
import { pollContext } from '../helpers/n8nContext';
import { startLobstr } from '../helpers/lobstr';
import { startPlatform } from '../helpers/platform';

let platform: Awaited<ReturnType<typeof startPlatform>>;
let lobstr: Awaited<ReturnType<typeof startLobstr>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	platform = await startPlatform();
	platform.emulator.rateLimit.limit = 1_000_000;
	lobstr = await startLobstr();
});
afterAll(async () => {
	await platform.emulator.stop();
	await lobstr.emulator.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ids = (out: INodeExecutionData[][] | null) => (out ? out[0].map((i) => String(i.json.id)) : []);

function platformPoll(parameters: Record<string, unknown>, staticData: IDataObject, budgetMs?: number): Promise<INodeExecutionData[][] | null> {
	const ctx = pollContext(platform.triggerOptions({ outcome: 'any', ...parameters }, { staticData }));
	if (budgetMs !== undefined) (ctx as unknown as { getPollBudgetMs: () => number }).getPollBudgetMs = () => budgetMs;
	return new PlatformJobsTrigger().poll.call(ctx) as Promise<INodeExecutionData[][] | null>;
}

function readsOf(id: string): number {
	return platform.emulator.server.requests.filter((r) => r.path.endsWith(`/jobs/${id}`)).length;
}

describe('watched-ID triggers (Platform Jobs Trigger, same engine as Hirebase and HasData)', () => {
	it('issue 16: two overlapping polls of one trigger never emit the same job (slow API)', async () => {
		const a = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const b = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const staticData: IDataObject = {};
		platform.emulator.server.latencyMs = 300;
		try {
			// n8n starts the next poll while the first is still reading: 3 polls 100 ms apart.
			const polls = [platformPoll({ jobIds: `${a},${b}` }, staticData)];
			await sleep(100);
			polls.push(platformPoll({ jobIds: `${a},${b}` }, staticData));
			await sleep(100);
			polls.push(platformPoll({ jobIds: `${a},${b}` }, staticData));
			const fired = (await Promise.all(polls)).flatMap(ids);
			expect(fired.sort()).toEqual([a, b].sort());
		} finally {
			platform.emulator.server.latencyMs = 0;
		}
	});

	it('issue 16: a poll ends at its time budget, retries included, and the next poll starts with the ids it did not reach', async () => {
		const slow = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const others = [platform.emulator.createJob({ queuedMs: 0, runMs: 0 }), platform.emulator.createJob({ queuedMs: 0, runMs: 0 })];
		// The first id answers 503 with Retry-After: 30 over and over.
		platform.emulator.server.inject({ status: 503, count: 100, method: 'GET', pathPrefix: `/jobs/${slow}`, headers: { 'Retry-After': '30' } });
		const staticData: IDataObject = {};
		const started = Date.now();
		const first = await platformPoll({ jobIds: [slow, ...others].join(',') }, staticData, 1500);
		const took = Date.now() - started;
		expect(took).toBeLessThan(2500);
		expect(ids(first)).toEqual([]);
		// The next poll reads the others first and fires them.
		const second = await platformPoll({ jobIds: [slow, ...others].join(',') }, staticData, 1500);
		expect(ids(second).sort()).toEqual([...others].sort());
	});

	it('issue 10 item 6: a watched job that now answers 404 is reported once, no longer read, and does not stop the others', async () => {
		const done = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const later = platform.emulator.createJob({ queuedMs: 0, runMs: 800 });
		const params = { jobIds: `job_purged, ${done}, ${later}` };
		const staticData: IDataObject = {};

		const first = await platformPoll(params, staticData);
		expect(ids(first).sort()).toEqual(['job_purged', done].sort());
		const report = first![0].find((i) => i.json.id === 'job_purged')!.json;
		expect(report).toMatchObject({ notFound: true, done: false, status: 'unknown' });
		expect(String(report.error)).toMatch(/404: Job not found.*stopped watching this ID/);

		const readsBefore = readsOf('job_purged');
		// Quiet polls: no error (n8n would stop polling the workflow), no second report, no read of the purged id.
		await expect(platformPoll(params, staticData)).resolves.toBeNull();
		await sleep(900);
		expect(ids(await platformPoll(params, staticData))).toEqual([later]);
		expect(await platformPoll(params, staticData)).toBeNull();
		expect(readsOf('job_purged')).toBe(readsBefore);
		// And across a restart (static data as n8n saved it).
		expect(await platformPoll(params, JSON.parse(JSON.stringify(staticData)))).toBeNull();
	});

	it('issue 10 item 6: a job that finished without matching the filter is in the static data n8n saves, and never read again', async () => {
		const failed = platform.emulator.createJob({ queuedMs: 0, runMs: 0, outcome: 'failed' });
		const staticData: IDataObject = {};
		expect(await platformPoll({ jobIds: failed, outcome: 'succeeded' }, staticData)).toBeNull();
		expect(staticData.firedJobs).toEqual([failed]);
		const reads = readsOf(failed);
		expect(await platformPoll({ jobIds: failed, outcome: 'succeeded' }, JSON.parse(JSON.stringify(staticData)))).toBeNull();
		expect(readsOf(failed)).toBe(reads);
	});

	it('issue 10 item 4: with more than 5,000 finished watched jobs, none fires twice', async () => {
		const many = Array.from({ length: 5003 }, () => platform.emulator.createJob({ queuedMs: 0, runMs: 0 }));
		// The first 5,000 fired in earlier polls (static data as n8n saved it); 3 more finish now.
		const staticData: IDataObject = { firedJobs: many.slice(0, 5000) };
		const first = await platformPoll({ jobIds: many.join('\n') }, staticData);
		expect(ids(first).sort()).toEqual(many.slice(5000).sort());
		for (let n = 0; n < 3; n++) expect(ids(await platformPoll({ jobIds: many.join('\n') }, staticData))).toEqual([]);
		// The memory holds the watched ids, and forgets the ones no longer watched.
		expect((staticData.firedJobs as string[]).length).toBe(5003);
		await platformPoll({ jobIds: many.slice(0, 10).join(',') }, staticData);
		expect((staticData.firedJobs as string[]).sort()).toEqual(many.slice(0, 10).sort());
	}, 60_000);
});

describe('poll budget', () => {
	it('reads the poll interval from Poll Times, including several entries with seconds', () => {
		const every5s = { item: Array.from({ length: 12 }, (_, i) => ({ mode: 'custom', cronExpression: `${i * 5} * * * * *` })) };
		expect(pollIntervalMs(every5s)).toBe(5000);
		expect(pollIntervalMs({ item: [{ mode: 'everyMinute' }] })).toBe(60_000);
		expect(pollIntervalMs({ item: [{ mode: 'everyX', value: 5, unit: 'minutes' }] })).toBe(300_000);
		expect(pollIntervalMs({ item: [{ mode: 'everyHour', minute: 3 }, { mode: 'everyMinute' }] })).toBe(60_000);
		expect(pollIntervalMs({ item: [{ mode: 'custom', cronExpression: '*/10 * * * *' }] })).toBe(600_000);
		expect(MIN_POLL_BUDGET_MS).toBeLessThanOrEqual(30_000);
	});
});

describe('Lobstr Trigger: the listing window shifting', () => {
	async function lobstrPoll(staticData: IDataObject, squid: string) {
		const ctx = pollContext(lobstr.triggerOptions({ watch: 'selected', squidIds: [squid], outcome: 'any' }, { staticData })) as IPollFunctions;
		return ids((await new LobstrTrigger().poll.call(ctx)) as INodeExecutionData[][] | null);
	}
	const finishSoon = (squid: string) => lobstr.emulator.addRun(squid, { pendingMs: 1, runningMs: 1, uploadingMs: 1 });

	it('issue 10 item 3: when newer runs are deleted, older finished runs coming back into view do not fire (again)', async () => {
		const squid = lobstr.emulator.addSquid('Window shift');
		for (let n = 0; n < 52; n++) lobstr.emulator.addFinishedRun(squid, 3_600_000 - n * 1000);
		const staticData: IDataObject = {};
		expect(await lobstrPoll(staticData, squid)).toEqual([]); // activation: 50 newest recorded

		const firedOnce = finishSoon(squid);
		await sleep(30);
		expect(await lobstrPoll(staticData, squid)).toEqual([firedOnce]);
		const newer = Array.from({ length: 50 }, () => finishSoon(squid));
		await sleep(30);
		expect((await lobstrPoll(staticData, squid)).sort()).toEqual([...newer].sort());

		// The 50 newest runs are deleted: the window shows the run that fired and 49 old ones again.
		for (const id of newer) lobstr.emulator.runs.delete(id);
		expect(await lobstrPoll(staticData, squid)).toEqual([]);
		expect(await lobstrPoll(JSON.parse(JSON.stringify(staticData)), squid)).toEqual([]);
	});
});
