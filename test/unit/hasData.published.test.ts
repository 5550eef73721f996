/**
 * HasData as its docs describe it (providers.md C): plans limit SIMULTANEOUS
 * requests (free plan: 1), jobs are stopped when credits run out, numbers may
 * come as strings and ids as integers, and only the start reply names the
 * scraper — so Rerun takes it from the started job's item.
 */
import { HasDataApi } from '../../credentials/HasDataApi.credentials';
import { HasData } from '../../nodes/HasData/HasData.node';
import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import { startHasData } from '../helpers/hasData';

let hd: Awaited<ReturnType<typeof startHasData>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	hd = await startHasData();
});
afterAll(() => hd.emulator.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fast = { pollInterval: 0.3, timeout: 20 };
const posts = (slug: string) => hd.emulator.server.count('POST', `/scrapers/${slug}/jobs`);

describe('HasData: simultaneous requests per credential', () => {
	afterEach(() => (hd.emulator.maxConcurrentRequests = 1));

	it('the credential has "Max Simultaneous Requests" (default 1, the free plan)', () => {
		const field = new HasDataApi().properties.find((p) => p.name === 'maxConcurrentRequests');
		expect(field).toMatchObject({ displayName: 'Max Simultaneous Requests', type: 'number', default: 1 });
		expect(field?.hint).toMatch(/Free plan: 1/);
	});

	it('a wait on 8 jobs and a 250-row read stay within the free plan\'s 1 request at a time: HasData never answers 429', async () => {
		const ids = Array.from({ length: 8 }, (_, n) => hd.emulator.createJob({ queuedMs: 0, runMs: 300 + n * 100, rows: 5 }));
		const refusedBefore = hd.emulator.refusedForConcurrency;
		hd.emulator.server.peakInFlight = 0;
		const items = await runNode(hd.options({ operation: 'waitForCompletion', jobId: (i: number) => ids[i], ...fast }, { items: ids.map(() => ({})) }));
		expect(items.map((i) => i.json.status)).toEqual(ids.map(() => 'succeeded'));
		const big = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 250 });
		const rows = await runNode(hd.options({ operation: 'getResults', jobId: big, returnAll: true }));
		expect(rows).toHaveLength(250);
		expect(hd.emulator.refusedForConcurrency - refusedBefore).toBe(0);
		expect(hd.emulator.server.peakInFlight).toBe(1);
	});

	it('a plan with 3 simultaneous requests: the node uses the credential\'s setting, up to 3 at once and never more', async () => {
		hd.emulator.maxConcurrentRequests = 3;
		const ids = Array.from({ length: 9 }, () => hd.emulator.createJob({ queuedMs: 0, runMs: 600, rows: 5 }));
		const refusedBefore = hd.emulator.refusedForConcurrency;
		hd.emulator.server.peakInFlight = 0;
		const credentials = { hasDataApi: { ...hd.credentials.hasDataApi, maxConcurrentRequests: 3 } };
		const items = await runNode(hd.options({ operation: 'waitForCompletion', jobId: (i: number) => ids[i], ...fast }, { items: ids.map(() => ({})), credentials }));
		expect(items.every((i) => i.json.status === 'succeeded')).toBe(true);
		expect(hd.emulator.refusedForConcurrency - refusedBefore).toBe(0);
		expect(hd.emulator.server.peakInFlight).toBe(3);
	});

	it('a read refused with 429 because another app holds the only slot is retried with backoff, not failed', async () => {
		const busy = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 4 });
		hd.emulator.server.inject({ status: 200, count: 1, method: 'GET', pathPrefix: `/scrapers/jobs/${busy}`, delayMs: 300 });
		const other = fetch(`${hd.emulator.baseUrl}/scrapers/jobs/${busy}`, { headers: { 'x-api-key': hd.emulator.apiKey } });
		await sleep(50);
		const refusedBefore = hd.emulator.refusedForConcurrency;
		const [item] = await runNode(hd.options({ operation: 'get', jobId: id }));
		await other;
		expect(item.json).toMatchObject({ id, status: 'succeeded', resultCount: 4 });
		expect(hd.emulator.refusedForConcurrency - refusedBefore).toBeGreaterThanOrEqual(1);
		expect(hd.emulator.server.count('GET', `/scrapers/jobs/${id}`)).toBeGreaterThanOrEqual(2);
	});

	it('a read that stays refused gives up with advice about simultaneous requests, not about slowing down', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
		hd.emulator.server.inject({ status: 429, count: 10, method: 'GET', pathPrefix: `/scrapers/jobs/${id}`, body: { message: 'Too many concurrent requests: your plan allows 1 simultaneous request' } });
		const error = await runNode(hd.options({ operation: 'get', jobId: id })).catch((e) => e);
		expect(error.message).toBe('HasData API error 429: Too many concurrent requests: your plan allows 1 simultaneous request');
		expect(error.description).toMatch(/limits how many requests run at the same time \(free plan: 1\).*Max Simultaneous Requests/);
		expect(error.description).toMatch(/Gave up after 5 attempts/);
	});
});

describe('HasData: jobs stopped because credits ran out', () => {
	it('are cancelled with stopReason "credits" and a warning — unlike a user\'s Stop', async () => {
		const broke = hd.emulator.createJob({ queuedMs: 0, runMs: 400, rows: 40, creditsPerRow: 10, creditsLeft: 120 });
		const [waited] = await runNode(hd.options({ operation: 'waitForCompletion', jobId: broke, ...fast, waitOptions: { onJobFailure: 'output' } }));
		expect(waited.json).toMatchObject({ status: 'cancelled', providerStatus: 'stopped', stopReason: 'credits', resultCount: 12, creditsSpent: 120 });
		expect(waited.json.warning).toMatch(/^HasData stopped this job because the account ran out of credits after 12 rows: Not enough credits/);

		const user = hd.emulator.createJob({ queuedMs: 0, runMs: 60_000, rows: 40 });
		await runNode(hd.options({ operation: 'stop', jobId: user }));
		const [stopped] = await runNode(hd.options({ operation: 'get', jobId: user }));
		expect(stopped.json).toMatchObject({ status: 'cancelled', providerStatus: 'stopped', stopReason: null, warning: null });
	});

	it('with "Count as Failed", Wait fails the item with the reason (or outputs it as failed)', async () => {
		const broke = hd.emulator.createJob({ queuedMs: 0, runMs: 300, rows: 40, creditsPerRow: 10, creditsLeft: 50 });
		const error = await runNode(hd.options({ operation: 'waitForCompletion', jobId: broke, creditStop: 'failed', ...fast })).catch((e) => e);
		expect(error.message).toMatch(new RegExp(`^Job ${broke} failed: HasData stopped this job because the account ran out of credits after 5 rows`));
		const [output] = await runNode(hd.options({ operation: 'get', jobId: broke, creditStop: 'failed' }));
		expect(output.json).toMatchObject({ status: 'failed', providerStatus: 'stopped', stopReason: 'credits' });
	});
});

describe('HasData: numbers as strings, integer ids', () => {
	it('the emulator sends both, and the node outputs numbers and a string id', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 7, creditsPerRow: 3 });
		const raw = (await (await fetch(`${hd.emulator.baseUrl}/scrapers/jobs/${id}`, { headers: { 'x-api-key': hd.emulator.apiKey } })).json()) as Record<string, unknown>;
		expect(typeof raw.id).toBe('number');
		expect(raw).toMatchObject({ creditsSpent: '21', dataRowsCount: '7' });
		const [item] = await runNode(hd.options({ operation: 'get', jobId: id }));
		expect(item.json).toMatchObject({ id: String(raw.id), resultCount: 7, creditsSpent: 21 });
	});
});

describe('HasData: Rerun takes the scraper from the job', () => {
	it('Rerun defaults to "Same as the Original Job"', () => {
		const rerunScraper = new HasData().description.properties.find((p) => p.name === 'scraper' && p.displayOptions?.show?.operation?.includes('rerun'));
		expect(rerunScraper?.default).toBe('fromJob');
	});

	it('reruns a Google Maps job on Google Maps from the Start output, without being told', async () => {
		const [started] = await runNode(hd.options({ operation: 'start', scraper: 'google-maps', input: '{"query": "coffee berlin"}' }));
		expect(started.json.scraper).toBe('google-maps');
		const before = { maps: posts('google-maps'), crawler: posts('crawler') };
		const [rerun] = await runNode(hd.options({ operation: 'rerun', jobId: started.json.id, scraper: 'fromJob' }, { items: [started.json] }));
		expect(posts('google-maps') - before.maps).toBe(1);
		expect(posts('crawler') - before.crawler).toBe(0);
		expect(rerun.json).toMatchObject({ scraper: 'google-maps', originalJobId: started.json.id });
	});

	it('asks for the scraper when the job cannot say, and starts nothing', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0 }, 'zillow', { url: 'https://zillow.com/x' });
		const before = hd.emulator.server.count('POST');
		const error = await runNode(hd.options({ operation: 'rerun', jobId: id, scraper: 'fromJob' }, { items: [{ id: 'another-job', scraper: 'crawler' }] })).catch((e) => e);
		expect(error.message).toBe(`Cannot tell which scraper job ${id} ran on, so it was not rerun`);
		expect(error.description).toMatch(/Set "Scraper" to the scraper the job ran on/);
		expect(hd.emulator.server.count('POST') - before).toBe(0);

		const [chosen] = await runNode(hd.options({ operation: 'rerun', jobId: id, scraper: 'zillow' }));
		expect(chosen.json).toMatchObject({ scraper: 'zillow', originalJobId: id });
	});
});

describe('HasData: Custom Slug is checked when the node runs', () => {
	it('a Scraper resolving to "custom" with no slug names the parameter and starts nothing; a resolved slug starts', async () => {
		const before = hd.emulator.server.count('POST');
		const items = await runNode(
			hd.options(
				{ operation: 'start', scraper: (i: number) => ['custom', 'yelp'][i], customSlug: '', input: '{"q": "x"}' },
				{ items: [{}, {}], continueOnFail: true },
			),
		);
		expect(items[0].json.error).toBe('The parameter "Custom Slug" is empty in item 0');
		expect(items[1].json).toMatchObject({ scraper: 'yelp', status: 'queued' });
		expect(hd.emulator.server.count('POST') - before).toBe(1);
	});
});
