import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import type { SentRequest } from '../helpers/n8nContext';
import { startHasData } from '../helpers/hasData';

let hd: Awaited<ReturnType<typeof startHasData>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	hd = await startHasData();
});
afterAll(() => hd.emulator.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fast = { pollInterval: 0.5, timeout: 30 };

describe('HasData: credential', () => {
	it('sends the key as x-api-key, and explains 401 and 403', async () => {
		const sent: SentRequest[] = [];
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
		await runNode(hd.options({ operation: 'get', jobId: id }, { sent }));
		expect(sent[0].headers['x-api-key']).toBe(hd.emulator.apiKey);

		const bad = hd.options({ operation: 'get', jobId: id });
		bad.credentials = { hasDataApi: { baseUrl: hd.emulator.baseUrl, apiKey: 'wrong' } };
		const e401 = await runNode(bad).catch((e) => e);
		expect(e401.message).toBe('HasData API error 401: Invalid API key');
		expect(e401.description).toMatch(/Check the API key in your HasData credential/);

		bad.credentials = { hasDataApi: { baseUrl: hd.emulator.baseUrl, apiKey: hd.emulator.exhaustedKey } };
		const e403 = await runNode(bad).catch((e) => e);
		expect(e403.message).toBe('HasData API error 403: API credits quota exhausted. Upgrade your plan to continue.');
		expect(e403.description).toMatch(/quota/);
	});
});

describe('HasData: Get', () => {
	it('outputs canonical job items for every status, with creditsSpent and the file links', async () => {
		const pending = hd.emulator.createJob({ queuedMs: 60_000 });
		const running = hd.emulator.createJob({ queuedMs: 0, runMs: 60_000, rows: 1000 });
		const finished = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 20 });
		const failed = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 3, outcome: 'failed' });
		const ids = [pending, running, finished, failed];
		const items = await runNode(hd.options({ operation: 'get', jobId: (i: number) => ids[i] }, { items: ids.map(() => ({})) }));
		expect(items.map((i) => [i.json.status, i.json.providerStatus, i.json.done])).toEqual([
			['queued', 'pending', false],
			['running', 'in_progress', false],
			['succeeded', 'finished', true],
			['failed', 'failed', true],
		]);
		expect(items[2].json).toMatchObject({ id: finished, provider: 'hasData', resultCount: 20, creditsSpent: 200, progress: null, error: null });
		const files = items[2].json.files as Record<string, string>;
		expect(Object.keys(files)).toEqual(['csv', 'json', 'xlsx']);
		expect(files.csv).toContain(hd.emulator.files.origin);
		expect(items[0].json.files).toBeNull();
		expect((items[2].json.raw as { input: unknown }).input).toEqual({ urls: ['https://example.com'], limit: 25 });
	});

	it('rows appear while the job runs (dataRowsCount grows)', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 600, rows: 600 });
		const [first] = await runNode(hd.options({ operation: 'get', jobId: id }));
		await sleep(250);
		const [second] = await runNode(hd.options({ operation: 'get', jobId: id }));
		expect(second.json.resultCount as number).toBeGreaterThan(first.json.resultCount as number);
		expect(second.json.status).toBe('running');
	});

	it('treats integer ids as strings', async () => {
		hd.emulator.idStyle = 'integer';
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
		hd.emulator.idStyle = 'uuid';
		expect(id).toMatch(/^\d+$/);
		const [item] = await runNode(hd.options({ operation: 'get', jobId: Number(id) }));
		expect(item.json.id).toBe(id);
		expect((item.json.raw as { id: unknown }).id).toBe(Number(id));
	});

	it('404 names the job; continueOnFail keeps the good items, each error naming its item', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const ids = [id, 'no-such-job', ''];
		const items = await runNode(hd.options({ operation: 'get', jobId: (i: number) => ids[i] }, { items: [{}, {}, {}], continueOnFail: true }));
		expect(items).toHaveLength(3);
		expect(items[0].json.id).toBe(id);
		expect(items[1].json.error).toBe('HasData API error 404: Job not found — no job with ID "no-such-job"');
		expect(items[1].json.errorDescription).toMatch(/HasData has no job with the ID "no-such-job" for this API key: check the ID/);
		expect(items[2].json.error).toBe('The parameter "Job ID" is empty in item 2');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('retries a read on 503', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
		hd.emulator.server.inject({ status: 503, count: 2, method: 'GET', pathPrefix: `/scrapers/jobs/${id}` });
		const [item] = await runNode(hd.options({ operation: 'get', jobId: id }));
		expect(item.json.status).toBe('succeeded');
		expect(hd.emulator.server.count('GET', `/scrapers/jobs/${id}`)).toBe(3);
	});
});

describe('HasData: Start', () => {
	it('POSTs the input and the webhook to the scraper, once, and outputs the queued job', async () => {
		const before = hd.emulator.server.count('POST', '/scrapers/google-maps/jobs');
		const [item] = await runNode(
			hd.options({
				operation: 'start',
				scraper: 'google-maps',
				input: '{"keyword": "pizza in Austin", "limit": 50}',
				webhookOptions: { webhookUrl: 'https://n8n.example.com/webhook/x/hasdata', webhookEvents: ['scraper.job.finished'] },
			}),
		);
		expect(hd.emulator.server.count('POST', '/scrapers/google-maps/jobs') - before).toBe(1);
		const post = hd.emulator.server.requests.filter((r) => r.method === 'POST').pop()!;
		expect(post.body).toEqual({
			keyword: 'pizza in Austin',
			limit: 50,
			webhook: { url: 'https://n8n.example.com/webhook/x/hasdata', events: ['scraper.job.finished'] },
		});
		expect(item.json).toMatchObject({ status: 'queued', providerStatus: 'pending', scraper: 'google-maps', done: false });
		expect(hd.emulator.jobs.has(item.json.id as string)).toBe(true);
	});

	it('builds the input from the main fields of the chosen scraper; Input (JSON) adds keys and wins', async () => {
		const body = async (params: Record<string, unknown>) => {
			await runNode(hd.options({ operation: 'start', ...params }));
			return hd.emulator.server.requests.filter((r) => r.method === 'POST').pop()!.body;
		};
		expect(await body({ scraper: 'crawler', urls: 'https://a.example\nhttps://b.example, https://c.example', maxDepth: 2, maxRows: 30 })).toEqual({
			urls: ['https://a.example', 'https://b.example', 'https://c.example'],
			maxDepth: 2,
			limit: 30,
		});
		expect(await body({ scraper: 'yelp', keyword: ' pizza ', location: 'Austin, TX', maxRows: 10, input: '{"limit": 5, "sort": "rating"}' })).toEqual({
			keyword: 'pizza',
			location: 'Austin, TX',
			limit: 5,
			sort: 'rating',
		});
		expect(await body({ scraper: 'zillow', listingLocation: '78701', listingType: 'sold', maxRows: 20 })).toEqual({ keyword: '78701', type: 'sold', limit: 20 });
		// A scraper without main fields sends the JSON as it is.
		expect(await body({ scraper: 'amazon-product', urls: 'https://ignored.example', input: '{"asin": "B0C1"}' })).toEqual({ asin: 'B0C1' });
	});

	it('accepts a custom slug and an input given as an object', async () => {
		const [item] = await runNode(hd.options({ operation: 'start', scraper: 'custom', customSlug: ' google-maps-reviews ', input: { placeId: 'abc' } }));
		expect(item.json.scraper).toBe('google-maps-reviews');
	});

	it('names the parameter and the item for invalid input JSON, a bad slug or a bad webhook URL, sending nothing', async () => {
		const before = hd.emulator.server.count('POST');
		const inputs = ['{"keyword": "pizza"}', '{"keyword": pizza}', '{}', '[1,2]'];
		const slugs = ['google-maps', 'google-maps', '../jobs', 'google-maps'];
		const items = await runNode(
			hd.options(
				{ operation: 'start', scraper: 'custom', customSlug: (i: number) => slugs[i], input: (i: number) => inputs[i], webhookOptions: (i: number) => (i === 0 ? { webhookUrl: 'not a url' } : {}) },
				{ items: [{}, {}, {}, {}], continueOnFail: true },
			),
		);
		expect(items[0].json.error).toBe('The parameter "Webhook URL" is not a valid URL: "not a url" (item 0)');
		expect(items[1].json.error).toMatch(/^The parameter "Input \(JSON\)" is not valid JSON: /);
		expect(items[2].json.error).toBe('The parameter "Custom Slug" is not a scraper slug: "../jobs" (item 2)');
		expect(items[3].json.error).toBe('The parameter "Input (JSON)" must be a JSON object ({ … })');
		expect(hd.emulator.server.count('POST') - before).toBe(0);
		const error = await runNode(hd.options({ operation: 'start', scraper: 'crawler', input: '{oops' })).catch((e) => e);
		expect(error.context.itemIndex).toBe(0);
	});

	it('a start refused because another client holds the plan\'s only simultaneous request: exactly one POST, a 429 that says so, never retried', async () => {
		// Another app with the same key has a request in flight (slow to answer).
		const busy = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
		hd.emulator.server.inject({ status: 200, count: 1, method: 'GET', pathPrefix: `/scrapers/jobs/${busy}`, delayMs: 800 });
		const other = fetch(`${hd.emulator.baseUrl}/scrapers/jobs/${busy}`, { headers: { 'x-api-key': hd.emulator.apiKey } });
		await sleep(100);
		const before = hd.emulator.server.count('POST', '/scrapers/crawler/jobs');
		const error = await runNode(hd.options({ operation: 'start', scraper: 'crawler', input: '{"urls": ["https://example.com"]}' })).catch((e) => e);
		await other;
		const posts = hd.emulator.server.count('POST', '/scrapers/crawler/jobs') - before;
		console.log(`Start while another client holds the only slot: ${posts} POST reached HasData; user sees: "${error.message}" — ${error.description}`);
		expect(posts).toBe(1);
		expect(error.message).toMatch(/^HasData API error 429: Too many concurrent requests/);
		expect(error.description).toMatch(/too many requests with this API key were running at the same time.*free plan: 1.*Max Simultaneous Requests.*not retried automatically, because repeating the request could start a duplicate job/);
	});

	it('a 503 on start is not retried either', async () => {
		hd.emulator.server.inject({ status: 503, count: 3, method: 'POST', pathPrefix: '/scrapers/yelp/jobs', body: { message: 'Service Unavailable' } });
		const before = hd.emulator.server.count('POST', '/scrapers/yelp/jobs');
		const error = await runNode(hd.options({ operation: 'start', scraper: 'yelp', input: '{}' })).catch((e) => e);
		expect(hd.emulator.server.count('POST', '/scrapers/yelp/jobs') - before).toBe(1);
		expect(error.message).toBe('HasData API error 503: Service Unavailable');
		expect(error.description).toMatch(/not retried automatically/);
	});
});

describe('HasData: Start → Wait → Get Results', () => {
	it('2,500 rows: started, waited for and paged, one item per row', async () => {
		hd.emulator.nextPlans.push({ queuedMs: 200, runMs: 1200, rows: 2500 });
		const requestsBefore = hd.emulator.server.requests.length;
		const started = Date.now();
		const [job] = await runNode(hd.options({ operation: 'start', scraper: 'crawler', input: '{"urls": ["https://example.com"], "limit": 2500}', waitForCompletion: true, ...fast }));
		const waitedMs = Date.now() - started;
		expect(job.json).toMatchObject({ status: 'succeeded', resultCount: 2500, creditsSpent: 25000, scraper: 'crawler', timedOut: false });
		const resultsStarted = Date.now();
		const rows = await runNode(hd.options({ operation: 'getResults', jobId: job.json.id, returnAll: true }));
		const pagingMs = Date.now() - resultsStarted;
		const requests = hd.emulator.server.requests.slice(requestsBefore);
		const pages = requests.filter((r) => r.path.endsWith('/results'));
		console.log(
			`HasData 2,500 rows: start+wait ${waitedMs} ms (${job.json.polls} polls), results ${pagingMs} ms over ${pages.length} pages; ` +
				`${requests.length} API requests in all (${requests.filter((r) => r.method === 'POST').length} POST); total ${Date.now() - started} ms`,
		);
		expect(rows).toHaveLength(2500);
		expect(new Set(rows.map((r) => r.json.n)).size).toBe(2500);
		expect(rows[0].json).toEqual({ url: 'https://example.com/page2500', statusCode: 200, title: 'Example page 2500', text: 'Extracted content 2500', depth: 1, n: 2500 });
		expect(pages).toHaveLength(25);
		expect(pages.every((p) => p.query.get('limit') === '100')).toBe(true);
		expect(rows.every((r) => r.pairedItem && (r.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('Limit stops paging early', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 1000 });
		const before = hd.emulator.server.count('GET', `/scrapers/jobs/${id}/results`);
		const rows = await runNode(hd.options({ operation: 'getResults', jobId: id, returnAll: false, limit: 150 }));
		expect(rows).toHaveLength(150);
		expect(hd.emulator.server.count('GET', `/scrapers/jobs/${id}/results`) - before).toBe(2);
	});

	it('a running job gives the rows scraped so far; a pending one none', async () => {
		const running = hd.emulator.createJob({ queuedMs: 0, runMs: 1000, rows: 1000 });
		const pending = hd.emulator.createJob({ queuedMs: 60_000 });
		await sleep(200);
		const rows = await runNode(hd.options({ operation: 'getResults', jobId: running, returnAll: true }));
		expect(rows.length).toBeGreaterThan(0);
		expect(rows.length).toBeLessThan(1000);
		expect(new Set(rows.map((r) => r.json.n)).size).toBe(rows.length);
		expect(await runNode(hd.options({ operation: 'getResults', jobId: pending, returnAll: true }))).toEqual([]);
	});

	it('Wait for Completion fails the item for a failed job, or outputs it on request', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 300, rows: 5, outcome: 'failed' });
		const error = await runNode(hd.options({ operation: 'waitForCompletion', jobId: id, ...fast })).catch((e) => e);
		expect(error.message).toBe(`Job ${id} failed: provider status "failed"`);
		const [item] = await runNode(hd.options({ operation: 'waitForCompletion', jobId: id, ...fast, waitOptions: { onJobFailure: 'output' } }));
		expect(item.json).toMatchObject({ status: 'failed', resultCount: 5 });
	});
});

describe('HasData: Stop', () => {
	it('stops a running job; its rows so far stay readable', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 5000, rows: 5000 });
		await sleep(200);
		const [item] = await runNode(hd.options({ operation: 'stop', jobId: id }));
		expect(item.json).toMatchObject({ id, stopped: true, status: 'cancelled', providerStatus: 'stopped', done: true });
		expect(item.json.stopResponse).toMatchObject({ status: 'stopped' });
		const rows = await runNode(hd.options({ operation: 'getResults', jobId: id, returnAll: true }));
		expect(rows.length).toBe(item.json.resultCount);
		expect(rows.length).toBeGreaterThan(0);
	});

	it('on a finished job: one DELETE, and a clear message naming the final status instead of a crash', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const [item] = await runNode(hd.options({ operation: 'stop', jobId: id }));
		console.log(`Stop on a finished job: "${item.json.message}"`);
		expect(hd.emulator.server.count('DELETE', `/scrapers/jobs/${id}`)).toBe(1);
		expect(item.json).toMatchObject({ id, stopped: false, status: 'succeeded' });
		expect(item.json.message).toBe(`Job ${id} had already finished with status "succeeded" (HasData: "finished"), so there was nothing to stop`);

		const error = await runNode(hd.options({ operation: 'stop', jobId: id, ifAlreadyFinished: 'error' })).catch((e) => e);
		expect(error.message).toBe(item.json.message);
		expect(error.description).toMatch(/HasData said: HasData API error 400: Only pending or in progress jobs can be stopped/);
	});

	it('an unknown job is a 404, not "already finished"', async () => {
		await expect(runNode(hd.options({ operation: 'stop', jobId: 'missing' }))).rejects.toThrow('HasData API error 404: Job not found');
	});
});

describe('HasData: Rerun', () => {
	it('re-submits the original input to the named scraper without the old webhook, linking new to original', async () => {
		const original = hd.emulator.createJob({ queuedMs: 0, runMs: 0 }, 'zillow', {
			keyword: 'Austin, TX',
			type: 'forSale',
			webhook: { url: 'https://old.example.com/hook', events: ['scraper.job.finished'] },
		});
		hd.emulator.nextPlans.push({ queuedMs: 0, runMs: 200, rows: 7 });
		const [item] = await runNode(hd.options({ operation: 'rerun', jobId: original, scraper: 'zillow', waitForCompletion: true, ...fast }));
		expect(item.json).toMatchObject({ originalJobId: original, scraper: 'zillow', status: 'succeeded', resultCount: 7 });
		expect(item.json.id).not.toBe(original);
		expect(hd.emulator.jobs.get(item.json.id as string)!.input).toEqual({ keyword: 'Austin, TX', type: 'forSale' });
		expect(hd.emulator.jobs.get(item.json.id as string)!.slug).toBe('zillow');
	});

	it('sends a new webhook when one is set', async () => {
		const original = hd.emulator.createJob({ queuedMs: 0, runMs: 0 }, 'indeed', { keyword: 'nurse', webhook: { url: 'https://old.example.com/hook', events: [] } });
		const [item] = await runNode(
			hd.options({ operation: 'rerun', jobId: original, scraper: 'indeed', webhookOptions: { webhookUrl: 'https://new.example.com/hook', webhookEvents: ['scraper.job.finished', 'scraper.job.started'] } }),
		);
		expect(hd.emulator.jobs.get(item.json.id as string)!.input).toEqual({
			keyword: 'nurse',
			webhook: { url: 'https://new.example.com/hook', events: ['scraper.job.finished', 'scraper.job.started'] },
		});
		expect(item.json.originalJobId).toBe(original);
	});
});

describe('HasData: Download File', () => {
	it('downloads CSV, JSON and XLSX as binary data, without the API key on the file host', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 3 });
		const formats = ['csv', 'json', 'xlsx'];
		const sent: SentRequest[] = [];
		const filesBefore = hd.emulator.files.requests.length;
		const items = await runNode(hd.options({ operation: 'downloadFile', jobId: id, fileFormat: (i: number) => formats[i] }, { items: [{}, {}, {}], sent }));
		expect(items.map((i) => i.json.fileName)).toEqual([`hasdata-${id}.csv`, `hasdata-${id}.json`, `hasdata-${id}.xlsx`]);
		const [csv, json, xlsx] = items.map((i) => i.binary!.data);
		expect(csv.mimeType).toBe('text/csv');
		expect(Buffer.from(csv.data, 'base64').toString().split('\n')[0]).toBe('url,statusCode,title,text,depth,n');
		expect(JSON.parse(Buffer.from(json.data, 'base64').toString())).toHaveLength(3);
		expect(xlsx.mimeType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		expect(Buffer.from(xlsx.data, 'base64').subarray(0, 2).toString()).toBe('PK');
		const downloads = hd.emulator.files.requests.slice(filesBefore);
		expect(downloads).toHaveLength(3);
		expect(downloads.every((r) => r.headers['x-api-key'] === undefined)).toBe(true);
		const fileRequests = sent.filter((s) => s.url.startsWith(hd.emulator.files.origin));
		expect(fileRequests.every((s) => !Object.keys(s.headers).some((h) => h.toLowerCase() === 'x-api-key'))).toBe(true);
	});

	it('puts the file in the named field', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 2 });
		const [item] = await runNode(hd.options({ operation: 'downloadFile', jobId: id, fileFormat: 'json', binaryPropertyName: 'export' }));
		expect(Object.keys(item.binary!)).toEqual(['export']);
	});

	it('says clearly when the job has not finished, or ended without files', async () => {
		const running = hd.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		await expect(runNode(hd.options({ operation: 'downloadFile', jobId: running, fileFormat: 'csv' }))).rejects.toThrow(
			`Job ${running} has no CSV file: it has not finished yet (status "running", HasData: "in_progress")`,
		);
		const failed = hd.emulator.createJob({ queuedMs: 0, runMs: 0, outcome: 'failed' });
		const error = await runNode(hd.options({ operation: 'downloadFile', jobId: failed, fileFormat: 'xlsx' })).catch((e) => e);
		expect(error.message).toBe(`Job ${failed} has no XLSX file: HasData gave no XLSX file for it (status "failed", HasData: "failed")`);
		expect(error.description).toMatch(/Get Results/);
	});

	it('an expired link is tried once more with a fresh one, then explained', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const ttl = hd.emulator.fileLinkTtlMs;
		hd.emulator.fileLinkTtlMs = -1;
		const filesBefore = hd.emulator.files.requests.length;
		const error = await runNode(hd.options({ operation: 'downloadFile', jobId: id, fileFormat: 'csv' })).catch((e) => e);
		hd.emulator.fileLinkTtlMs = ttl;
		expect(error.message).toBe(`Could not download the CSV file of job ${id}: the file host answered HTTP 403`);
		expect(hd.emulator.files.requests.length - filesBefore).toBe(2);
	});
});
