/**
 * Issue 10, item 8: paging cannot loop forever. A provider that repeats a page,
 * or whose `next` link points back, ends the paging when a page adds nothing
 * new; a paging that keeps announcing new pages stops at a cap with a clear
 * error; and with a Limit only the rows still wanted are asked for.
 * Against the HasData and Lobstr emulators, over real HTTP.
 */
import { pagingPolicy } from '../../nodes/shared/results';
import { lobstrLimits } from '../../nodes/Lobstr/lobstr.adapter';
import { runNode } from '../helpers/n8nContext';
import { startHasData } from '../helpers/hasData';
import { startLobstr } from '../helpers/lobstr';

jest.setTimeout(30_000);

let hd: Awaited<ReturnType<typeof startHasData>>;
let lobstr: Awaited<ReturnType<typeof startLobstr>>;
const savedResults = { ...lobstrLimits.results };

beforeAll(async () => {
	hd = await startHasData();
	// Lobstr's 2 req/s on /results is not what these tests are about.
	lobstr = await startLobstr({ limits: { results: { limit: 1000, windowMs: 1000 } } } as never);
	Object.assign(lobstrLimits.results, { maxRequests: 1000, perMs: 1000 });
});
// Injected answers left over by a test must not leak into the next one.
afterEach(() => {
	hd.emulator.server['injections'].length = 0;
	lobstr.emulator.server['injections'].length = 0;
});
afterAll(async () => {
	Object.assign(lobstrLimits.results, savedResults);
	await Promise.all([hd.emulator.stop(), lobstr.emulator.stop()]);
});

/** A HasData /results page whose meta always says there is a next page. */
const hasDataPage = (rows: Array<{ id: number; n: number }>, lastPage: number) => ({
	meta: { total: lastPage * rows.length, perPage: rows.length, currentPage: 1, lastPage, nextPageUrl: '/?page=2' },
	data: rows.map((r) => ({ id: r.id, data: { n: r.n } })),
});

describe('paging that would never end', () => {
	it('HasData repeating the same page: stops when a page adds nothing new, each row once', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 3 });
		const page = hasDataPage([1, 2, 3].map((n) => ({ id: n, n })), 50);
		hd.emulator.server.inject({ status: 200, count: 100_000, method: 'GET', pathPrefix: `/scrapers/jobs/${id}/results`, body: page });
		const before = hd.emulator.server.count('GET', `/scrapers/jobs/${id}/results`);
		const rows = await runNode(hd.options({ operation: 'getResults', jobId: id, returnAll: true }));
		const requests = hd.emulator.server.count('GET', `/scrapers/jobs/${id}/results`) - before;
		expect(rows.map((r) => r.json)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
		expect(requests).toBeLessThanOrEqual(5);
	});

	it('Lobstr with a `next` link pointing back to page 1 and no page count: stops after the repeat', async () => {
		const squid = lobstr.emulator.addSquid();
		const run = lobstr.emulator.addRun(squid, { pendingMs: 0, runningMs: 0, uploadingMs: 0, rows: 2 }, Date.now() - 10_000);
		const body = {
			total_results: 2,
			limit: 100,
			page: 1,
			data: [{ id: 'r-0', name: 'a' }, { id: 'r-1', name: 'b' }],
			next: `/v1/results?run=${run}&page=1`,
			previous: null,
		};
		lobstr.emulator.server.inject({ status: 200, count: 100_000, method: 'GET', pathPrefix: '/results', body });
		const before = lobstr.emulator.server.count('GET', '/results');
		const rows = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: run, returnAll: true }));
		const requests = lobstr.emulator.server.count('GET', '/results') - before;
		expect(rows.map((r) => r.json.name)).toEqual(['a', 'b']);
		expect(requests).toBe(2);
	});

	it('an API that keeps announcing new pages is stopped at the page cap with an error that says what to do', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 3 });
		let n = 0;
		// Every answer is a fresh page (new ids) that says "more".
		const endless = Array.from({ length: 200 }, () => hasDataPage([{ id: ++n, n }], 1_000_000_000));
		for (const body of endless) hd.emulator.server.inject({ status: 200, count: 1, method: 'GET', pathPrefix: `/scrapers/jobs/${id}/results`, body: { ...body, meta: { ...body.meta, lastPage: undefined } } });
		const saved = pagingPolicy.maxPages;
		pagingPolicy.maxPages = 20;
		try {
			const error = await runNode(hd.options({ operation: 'getResults', jobId: id, returnAll: true })).catch((e) => e);
			expect(error.message).toMatch(/Stopped reading the results of job .* after 20 pages/);
			expect(error.message).toMatch(/set a Limit/);
		} finally {
			pagingPolicy.maxPages = saved;
		}
	});
});

describe('a Limit asks only for the rows still wanted', () => {
	it('HasData Limit 150 (pages of at most 100): two requests of 75 rows, not 100 + 100', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 1000 });
		const before = hd.emulator.server.requests.length;
		const rows = await runNode(hd.options({ operation: 'getResults', jobId: id, returnAll: false, limit: 150 }));
		const sent = hd.emulator.server.requests.slice(before).filter((r) => r.path.endsWith('/results'));
		expect(rows).toHaveLength(150);
		expect(new Set(rows.map((r) => JSON.stringify(r.json))).size).toBe(150);
		expect(sent.map((r) => Number(r.query.get('limit')))).toEqual([75, 75]);
	});

	it('Lobstr Limit 30: one request for 30 rows', async () => {
		const squid = lobstr.emulator.addSquid();
		const run = lobstr.emulator.addRun(squid, { pendingMs: 0, runningMs: 0, uploadingMs: 0, rows: 500 }, Date.now() - 10_000);
		const before = lobstr.emulator.server.requests.length;
		const rows = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: run, returnAll: false, limit: 30 }));
		const sent = lobstr.emulator.server.requests.slice(before).filter((r) => r.path.endsWith('/results'));
		expect(rows).toHaveLength(30);
		expect(sent.map((r) => Number(r.query.get('limit')))).toEqual([30]);
	});
});
