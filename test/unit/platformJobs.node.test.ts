import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import { startPlatform } from '../helpers/platform';

let platform: Awaited<ReturnType<typeof startPlatform>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	platform = await startPlatform();
});
afterAll(() => platform.emulator.stop());

describe('Platform Jobs: Get', () => {
	it('outputs the canonical job item with the raw response kept', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0, result: { documentsProcessed: 50, errors: 0 } });
		const [item] = await runNode(platform.options({ operation: 'get', jobId: id }));
		expect(item.json).toMatchObject({
			id,
			provider: 'platformJobs',
			status: 'succeeded',
			providerStatus: 'completed',
			done: true,
			progress: 100,
			error: null,
			resultCount: 50,
			type: 'document_processing',
		});
		expect(item.json.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
		expect(item.json.finishedAt).toMatch(/Z$/);
		expect((item.json.raw as { id: string }).id).toBe(id);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('maps pending and running with progress', async () => {
		const pending = platform.emulator.createJob({ queuedMs: 60_000 });
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const items = await runNode(platform.options({ operation: 'get', jobId: (i: number) => [pending, running][i] }, { items: [{}, {}] }));
		expect(items.map((i) => [i.json.status, i.json.done])).toEqual([['queued', false], ['running', false]]);
		expect(items[1].json.progress).toBeGreaterThanOrEqual(0);
		expect(items[1].json.progress).toBeLessThan(100);
	});

	it('URL-encodes ids into the path', async () => {
		const sent: { url: string }[] = [];
		await expect(runNode(platform.options({ operation: 'get', jobId: 'a/b?c' }, { sent: sent as never }))).rejects.toThrow(/404/);
		expect(sent[0].url).toContain('/jobs/a%2Fb%3Fc');
	});

	it('gives the provider message and a hint for an unknown job', async () => {
		const error = await runNode(platform.options({ operation: 'get', jobId: 'job_missing' })).catch((e) => e);
		expect(error.message).toBe('Platform Jobs API error 404: Job not found — no job with ID "job_missing"');
		expect(error.description).toMatch(/^Details: resource: job; id: job_missing\. Platform Jobs has no job with the ID "job_missing" for this API key: check the ID/);
		expect(error.httpCode).toBe('404');
	});

	it('says to check the API key on 401', async () => {
		const options = platform.options({ operation: 'get', jobId: 'x' });
		options.credentials = { platformJobsApi: { baseUrl: platform.emulator.baseUrl, apiKey: 'wrong' } };
		const error = await runNode(options).catch((e) => e);
		expect(error.message).toMatch(/401: Invalid or missing API key/);
		expect(error.description).toMatch(/Check the API key in your Platform Jobs credential/);
	});

	it('names the parameter and item for an empty or non-text ID, and continueOnFail keeps the good items', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const ids = [id, '  ', { nested: true }];
		const items = await runNode(
			platform.options({ operation: 'get', jobId: (i: number) => ids[i] }, { items: [{}, {}, {}], continueOnFail: true }),
		);
		expect(items).toHaveLength(3);
		expect(items[0].json.id).toBe(id);
		expect(items[1].json.error).toBe('The parameter "Job ID" is empty in item 1');
		expect(items[2].json.error).toBe('The parameter "Job ID" must be text or a number, but item 2 gave an object');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('without continueOnFail, a bad item fails the node with its item index', async () => {
		// An expression that gives an empty ID (a blank field never runs: see below).
		const error = await runNode(platform.options({ operation: 'get', jobId: () => '' })).catch((e) => e);
		expect(error.message).toBe('The parameter "Job ID" is empty in item 0');
		expect(error.context.itemIndex).toBe(0);
	});

	it('a blank required field is refused by n8n before the node runs, naming the field', async () => {
		// Found by running in n8n-core: the engine checks required parameters first.
		const before = platform.emulator.server.requests.length;
		const error = await runNode(platform.options({ operation: 'get', jobId: '' })).catch((e) => e);
		expect(error.message).toBe('The \'Platform Jobs\' node has issues:\n- Parameter "Job ID" is required.');
		expect(platform.emulator.server.requests.length).toBe(before);
	});

	it('accepts a numeric id', async () => {
		const error = await runNode(platform.options({ operation: 'get', jobId: 12345 })).catch((e) => e);
		expect(error.message).toMatch(/no job with ID "12345"/);
	});
});

describe('Platform Jobs: retries', () => {
	it('retries a read on 429 honouring Retry-After, then succeeds', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const before = platform.emulator.server.count('GET', `/jobs/${id}`);
		platform.emulator.server.inject({ status: 429, count: 1, method: 'GET', pathPrefix: `/jobs/${id}`, headers: { 'Retry-After': '1' } });
		const started = Date.now();
		const [item] = await runNode(platform.options({ operation: 'get', jobId: id }));
		expect(item.json.status).toBe('succeeded');
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(platform.emulator.server.count('GET', `/jobs/${id}`) - before).toBe(2);
	});

	it('retries a read on 5xx and on a dropped connection', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		platform.emulator.server.inject({ status: 503, count: 1, method: 'GET', pathPrefix: `/jobs/${id}` });
		platform.emulator.server.inject({ status: 0, count: 1, method: 'GET', pathPrefix: `/jobs/${id}`, dropConnection: true });
		const [item] = await runNode(platform.options({ operation: 'get', jobId: id }));
		expect(item.json.status).toBe('succeeded');
		expect(platform.emulator.server.count('GET', `/jobs/${id}`)).toBe(3);
	});

	it('gives up on a read after a bounded number of attempts', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		platform.emulator.server.inject({ status: 502, count: 100, method: 'GET', pathPrefix: `/jobs/${id}` });
		const error = await runNode(platform.options({ operation: 'get', jobId: id })).catch((e) => e);
		expect(error.message).toMatch(/502/);
		expect(error.description).toMatch(/Gave up after 5 attempts/);
		expect(platform.emulator.server.count('GET', `/jobs/${id}`)).toBe(retryPolicy.maxRetries + 1);
	});

	it('retries a read whose response is too slow (request timeout)', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const timeout = retryPolicy.requestTimeoutMs;
		retryPolicy.requestTimeoutMs = 300;
		try {
			platform.emulator.server.inject({ status: 200, count: 1, method: 'GET', pathPrefix: `/jobs/${id}`, delayMs: 1500 });
			const [item] = await runNode(platform.options({ operation: 'get', jobId: id }));
			expect(item.json.status).toBe('succeeded');
			expect(platform.emulator.server.count('GET', `/jobs/${id}`)).toBe(2);
		} finally {
			retryPolicy.requestTimeoutMs = timeout;
			// Let the abandoned slow request finish, so it is not counted by the next test.
			await new Promise((r) => setTimeout(r, 1300));
		}
	});

	it('holds requests when the API says X-RateLimit-Remaining: 0, so no 429 is ever received', async () => {
		const ids = [1, 2, 3, 4, 5].map(() => platform.emulator.createJob({ queuedMs: 0, runMs: 0 }));
		const { limit, windowMs } = platform.emulator.rateLimit;
		await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20)); // start at a fresh second
		platform.emulator.rateLimit.limit = 2;
		platform.emulator.rateLimit.windowMs = 1000;
		const rejectedBefore = platform.emulator.rateLimit.rejected;
		try {
			const items = await runNode(platform.options({ operation: 'get', jobId: (i: number) => ids[i] }, { items: ids.map(() => ({})) }));
			expect(items.map((i) => i.json.status)).toEqual(ids.map(() => 'succeeded'));
			expect(platform.emulator.rateLimit.rejected - rejectedBefore).toBe(0);
		} finally {
			platform.emulator.rateLimit.limit = limit;
			platform.emulator.rateLimit.windowMs = windowMs;
		}
	});

	it('never retries the rerun POST: exactly one request on a 503, and a clear error', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		platform.emulator.server.inject({ status: 503, count: 5, method: 'POST', pathPrefix: `/jobs/${id}/rerun`, body: { data: null, error: { name: 'Unavailable', message: 'Service temporarily unavailable' } } });
		const error = await runNode(platform.options({ operation: 'rerun', jobId: id })).catch((e) => e);
		const rerunRequests = platform.emulator.server.count('POST', `/jobs/${id}/rerun`);
		console.log(`rerun with injected 503: ${rerunRequests} POST reached the emulator; user sees: "${error.message}" — ${error.description}`);
		expect(rerunRequests).toBe(1);
		expect(error.message).toBe('Platform Jobs API error 503: Service temporarily unavailable');
		expect(error.description).toMatch(/not retried automatically, because repeating this request could start a duplicate job/);
	});
});

describe('Platform Jobs: credential', () => {
	it('rejects a Base URL that is not a URL, naming it', async () => {
		const options = platform.options({ operation: 'get', jobId: 'x' });
		options.credentials = { platformJobsApi: { baseUrl: 'my-host/v1/api', apiKey: 'k' } };
		await expect(runNode(options)).rejects.toThrow('The Base URL in the credential is not a valid URL: "my-host/v1/api"');
	});
});

describe('Platform Jobs: Get Result', () => {
	it('outputs one item per row of a finished job', async () => {
		const rows = [{ a: 1 }, { a: 2 }, { a: 3 }];
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0, type: 'export', result: { rowCount: 3, rows } });
		const items = await runNode(platform.options({ operation: 'getResult', jobId: id }));
		expect(items.map((i) => i.json)).toEqual(rows);
	});

	it('says the job is not finished, naming its status', async () => {
		const id = platform.emulator.createJob({ queuedMs: 60_000 });
		await expect(runNode(platform.options({ operation: 'getResult', jobId: id }))).rejects.toThrow(
			`Job ${id} has no result yet: its status is "queued" (pending)`,
		);
	});
});
