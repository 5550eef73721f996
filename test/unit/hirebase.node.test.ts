import { HirebaseApi } from '../../credentials/HirebaseApi.credentials';
import { retryPolicy } from '../../nodes/shared/transport';
import { generateRecords } from '../emulators/hirebase';
import { pollContext, runNode } from '../helpers/n8nContext';
import type { SentRequest } from '../helpers/n8nContext';
import { startHirebase } from '../helpers/hirebase';

let hb: Awaited<ReturnType<typeof startHirebase>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	hb = await startHirebase();
});
afterAll(() => hb.emulator.stop());

const fast = { pollInterval: 0.1, timeout: 10 };
const done = { queuedMs: 0, processingMs: 0 };

describe('Hirebase: Create Export → Wait → Get Results', () => {
	it('exports a search, waits for it, and outputs one item per record', async () => {
		hb.emulator.exportPlan = () => ({ queuedMs: 100, processingMs: 300, recordCount: 25 });
		const [started] = await runNode(
			hb.options({
				operation: 'createExport',
				format: 'json',
				filters: {
					jobTitles: 'Software Engineer, Data Analyst',
					keywords: 'python',
					locationTypes: ['Remote', 'Hybrid'],
					locations: { location: [{ city: 'Richmond', region: 'Virginia', country: 'United States' }, { city: '', region: '', country: 'Canada' }] },
					daysAgo: 14,
					jobTypes: 'Full Time',
					companyName: ' Acme ',
					yoeMin: 1,
					yoeMax: 6,
					additionalFilters: '{"visa": "true", "keywords": ["python", "go"]}',
				},
			}),
		);
		expect(started.json).toMatchObject({ provider: 'hirebase', status: 'queued', providerStatus: 'queued', done: false, progress: 0, type: 'export_job_data', format: 'json' });
		const post = hb.emulator.api.requests.find((r) => r.method === 'POST')!;
		expect(post.body).toEqual({
			format: 'json',
			search: {
				job_titles: ['Software Engineer', 'Data Analyst'],
				keywords: ['python', 'go'],
				job_types: ['Full Time'],
				location_types: ['Remote', 'Hybrid'],
				geo_locations: [{ city: 'Richmond', region: 'Virginia', country: 'United States' }, { country: 'Canada' }],
				company_name: 'Acme',
				days_ago: 14,
				yoe: { min: 1, max: 6 },
				// "Max Records" (default 100): the export's size.
				limit: 100,
				visa: 'true',
			},
		});

		const [waited] = await runNode(hb.options({ operation: 'waitForCompletion', taskId: started.json.id, ...fast }));
		expect(waited.json).toMatchObject({ id: started.json.id, status: 'succeeded', providerStatus: 'completed', done: true, progress: 100, resultCount: 25, timedOut: false });
		expect(waited.json.polls).toBeGreaterThan(1);
		expect(waited.json.downloadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/joby-uploads\//);

		const rows = await runNode(hb.options({ operation: 'getResults', taskId: started.json.id }));
		console.log(`create → wait (${waited.json.polls} polls, ${waited.json.waitedSeconds}s) → ${rows.length} row items; first: ${JSON.stringify(rows[0].json).slice(0, 120)}`);
		expect(rows.map((r) => r.json)).toEqual(generateRecords(25));
		expect(rows.every((r) => (r.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('Create Export with Wait for Completion returns the finished task', async () => {
		hb.emulator.exportPlan = () => ({ queuedMs: 50, processingMs: 150, outcome: 'finished', recordCount: 3 });
		const [item] = await runNode(hb.options({ operation: 'createExport', format: 'csv', waitForCompletion: true, ...fast }));
		expect(item.json).toMatchObject({ status: 'succeeded', providerStatus: 'finished', resultCount: 3, format: 'csv', timedOut: false });
	});

	it('the API key never reaches the storage host that serves the file', async () => {
		const id = hb.emulator.createTask({ ...done, recordCount: 4 });
		const before = hb.emulator.storage.requests.length;
		const sent: SentRequest[] = [];
		const rows = await runNode(hb.options({ operation: 'getResults', taskId: id }, { sent }));
		expect(rows).toHaveLength(4);
		const storageRequests = hb.emulator.storage.requests.slice(before);
		expect(storageRequests).toHaveLength(1);
		const headerNames = Object.keys(storageRequests[0].headers).map((h) => h.toLowerCase());
		console.log(`storage host received headers: ${headerNames.join(', ')}`);
		expect(headerNames).not.toContain('x-api-key');
		expect(JSON.stringify(storageRequests[0].headers)).not.toContain(hb.emulator.apiKey);
		// The API host did get the key on its own request.
		expect(sent.find((s) => s.url.includes('/v2/tasks/'))!.headers['x-api-key']).toBe(hb.emulator.apiKey);
	});
});

describe('Hirebase: Get Task and Wait', () => {
	it('maps queued, processing (0..1 → 0..100), completed, finished, failed and canceled', async () => {
		const ids = [
			hb.emulator.createTask({ queuedMs: 60_000 }),
			hb.emulator.createTask({ queuedMs: 0, processingMs: 60_000 }),
			hb.emulator.createTask({ ...done, outcome: 'completed', recordCount: 7 }),
			hb.emulator.createTask({ ...done, outcome: 'finished', recordCount: 8 }),
			hb.emulator.createTask({ ...done, outcome: 'failed', errorMessage: 'Search backend timed out' }),
			hb.emulator.createTask({ ...done, outcome: 'canceled' }),
		];
		const items = await runNode(hb.options({ operation: 'get', taskId: (i: number) => ids[i] }, { items: ids.map(() => ({})) }));
		expect(items.map((i) => [i.json.status, i.json.providerStatus, i.json.done])).toEqual([
			['queued', 'queued', false],
			['running', 'processing', false],
			['succeeded', 'completed', true],
			['succeeded', 'finished', true],
			['failed', 'failed', true],
			['cancelled', 'canceled', true],
		]);
		expect(items[1].json.progress).toBeGreaterThanOrEqual(0);
		expect(items[1].json.progress).toBeLessThan(100);
		expect(items[2].json).toMatchObject({ progress: 100, resultCount: 7, error: null });
		expect(items[3].json.resultCount).toBe(8);
		expect(items[4].json.error).toBe('Search backend timed out');
		expect(items[2].json.finishedAt).toMatch(/Z$/);
		expect(items[2].json.downloadExpiresAt).toMatch(/Z$/);
		expect((items[2].json.raw as { state: string }).state).toBe('completed');
	});

	it('waits for several tasks at once; a failed one fails its item, continueOnFail keeps the others', async () => {
		const ids = [
			hb.emulator.createTask({ queuedMs: 50, processingMs: 200, outcome: 'finished' }),
			hb.emulator.createTask({ queuedMs: 50, processingMs: 100, outcome: 'failed', errorMessage: 'Quota exceeded for exports' }),
			hb.emulator.createTask({ queuedMs: 0, processingMs: 300 }),
		];
		const items = await runNode(
			hb.options({ operation: 'waitForCompletion', taskId: (i: number) => ids[i], ...fast }, { items: [{}, {}, {}], continueOnFail: true }),
		);
		expect(items[0].json).toMatchObject({ status: 'succeeded', providerStatus: 'finished' });
		expect(items[1].json.error).toBe(`Job ${ids[1]} failed: Quota exceeded for exports`);
		expect(items[2].json).toMatchObject({ status: 'succeeded', providerStatus: 'completed' });
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('gives the provider message for an unknown task and a bad key', async () => {
		const error = await runNode(hb.options({ operation: 'get', taskId: 'nope' })).catch((e) => e);
		expect(error.message).toBe('Hirebase API error 404: Task not found — no task with ID "nope"');
		const options = hb.options({ operation: 'get', taskId: 'x' });
		options.credentials = { hirebaseApi: { baseUrl: hb.emulator.baseUrl, apiKey: 'wrong' } };
		const bad = await runNode(options).catch((e) => e);
		expect(bad.message).toBe('Hirebase API error 401: Invalid or missing API key');
		expect(bad.description).toMatch(/Check the API key in your Hirebase credential/);
	});
});

describe('Hirebase: Create Export errors', () => {
	it('a 422 names the field, and the POST is sent once', async () => {
		const before = hb.emulator.api.count('POST', '/v2/jobs/export');
		const error = await runNode(hb.options({ operation: 'createExport', filters: { additionalFilters: '{"days_ago": "last week"}' } })).catch((e) => e);
		console.log(`422 shown as: "${error.message}"`);
		expect(error.message).toBe('Hirebase API error 422: search.days_ago: Input should be a valid integer');
		expect(hb.emulator.api.count('POST', '/v2/jobs/export') - before).toBe(1);
	});

	it('a 503 on the export POST is not retried', async () => {
		const before = hb.emulator.api.count('POST', '/v2/jobs/export');
		hb.emulator.api.inject({ status: 503, count: 1, method: 'POST', pathPrefix: '/v2/jobs/export', body: { detail: 'Service Unavailable' } });
		const error = await runNode(hb.options({ operation: 'createExport' })).catch((e) => e);
		expect(hb.emulator.api.count('POST', '/v2/jobs/export') - before).toBe(1);
		expect(error.description).toMatch(/not retried automatically/);
	});

	it('bad input names the parameter and the item; continueOnFail keeps the good items', async () => {
		hb.emulator.exportPlan = () => ({});
		const filters = [{ daysAgo: 3 }, { yoeMin: 5, yoeMax: 2 }, { daysAgo: 1.5 }, {}];
		const json = ['{}', '{}', '{}', '{not json'];
		const items = await runNode(
			hb.options(
				{ operation: 'createExport', filters: (i: number) => ({ ...filters[i], additionalFilters: json[i] }) },
				{ items: [{}, {}, {}, {}], continueOnFail: true },
			),
		);
		expect(items[0].json.status).toBe('queued');
		expect(items[1].json.error).toBe('"Min Years of Experience" (5) is greater than "Max Years of Experience" (2) in item 1');
		expect(items[2].json.error).toBe('The filter "Days Ago" must be a whole number, but item 2 gave 1.5');
		expect(items[3].json.error).toMatch(/^The parameter "Additional Filters \(JSON\)" is not valid JSON/);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
	});

	it('an unsupported format names the parameter', async () => {
		const error = await runNode(hb.options({ operation: 'createExport', format: 'xlsx' })).catch((e) => e);
		expect(error.message).toBe('The parameter "File Format" must be "json" or "csv", but item 0 gave "xlsx"');
		expect(error.context.itemIndex).toBe(0);
	});
});

describe('Hirebase: Rerun', () => {
	it('starts a new export with the task\'s own search and format, linked to the original, and can wait', async () => {
		const search = { job_titles: ['Nurse'], geo_locations: [{ country: 'Canada' }], page: 1, limit: 10 };
		const original = hb.emulator.createTask({ ...done, outcome: 'failed' }, 'csv', search);
		hb.emulator.exportPlan = () => ({ queuedMs: 20, processingMs: 80, recordCount: 2 });
		const before = hb.emulator.api.requests.length;
		const [item] = await runNode(hb.options({ operation: 'rerun', taskId: original, waitForCompletion: true, ...fast }));
		const calls = hb.emulator.api.requests.slice(before);
		expect(calls[0]).toMatchObject({ method: 'GET', path: `/v2/tasks/${original}` });
		expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
		expect(calls[1].body).toEqual({ search, format: 'csv' });
		expect(item.json).toMatchObject({ status: 'succeeded', originalJobId: original, format: 'csv', resultCount: 2 });
		expect(item.json.id).not.toBe(original);
	});
});

describe('Hirebase: Rerun errors', () => {
	it('a 422 from the re-export names the field (a task whose stored format the API no longer accepts)', async () => {
		const original = hb.emulator.createTask(done);
		(hb.emulator.tasks.get(original) as { format: string }).format = 'xlsx';
		const error = await runNode(hb.options({ operation: 'rerun', taskId: original })).catch((e) => e);
		expect(error.message).toBe("Hirebase API error 422: format: Input should be 'json' or 'csv'");
		expect(error.description).toMatch(/names the field to fix/);
	});
});

describe('Hirebase: Get Results', () => {
	const tricky = [
		{ id: '1', title: 'Engineer, "Senior"', notes: 'two\r\nlines, comma' },
		{ id: '2', title: 'Ünïcödé ✓', notes: '' },
	];

	it('reads CSV with BOM, CRLF, quoted commas, new lines and escaped quotes', async () => {
		const id = hb.emulator.createTask({ ...done, records: tricky }, 'csv');
		expect(hb.emulator.fileOf(id).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
		const rows = await runNode(hb.options({ operation: 'getResults', taskId: id }));
		expect(rows.map((r) => r.json)).toEqual(tricky);
	});

	it('reads JSON Lines and a JSON array', async () => {
		const records = generateRecords(12);
		const jsonl = hb.emulator.createTask({ ...done, records, jsonShape: 'jsonl' });
		const array = hb.emulator.createTask({ ...done, records, jsonShape: 'array' });
		expect(hb.emulator.fileOf(array).toString()[0]).toBe('[');
		expect((await runNode(hb.options({ operation: 'getResults', taskId: jsonl }))).map((r) => r.json)).toEqual(records);
		expect((await runNode(hb.options({ operation: 'getResults', taskId: array }))).map((r) => r.json)).toEqual(records);
	});

	it('honours Return All off and its Limit', async () => {
		const id = hb.emulator.createTask({ ...done, recordCount: 30 }, 'csv');
		const rows = await runNode(hb.options({ operation: 'getResults', taskId: id, returnAll: false, limit: 5 }));
		expect(rows.map((r) => r.json.job_id)).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4']);
	});

	it('Output as File gives one item with the file as binary data', async () => {
		const id = hb.emulator.createTask({ ...done, recordCount: 3 }, 'csv');
		const [item, ...rest] = await runNode(hb.options({ operation: 'getResults', taskId: id, resultOptions: { outputAsFile: true, binaryPropertyName: 'export' } }));
		expect(rest).toHaveLength(0);
		expect(item.json).toMatchObject({ taskId: id, fileName: `${id}.csv`, format: 'csv', recordCount: 3 });
		expect(item.binary!.export.mimeType).toBe('text/csv');
		expect(Buffer.from(item.binary!.export.data, 'base64')).toEqual(hb.emulator.fileOf(id));
	});

	it('an expired link (expiry_time in the past) is a clear error that suggests Rerun, without a download', async () => {
		const id = hb.emulator.createTask({ ...done, linkTtlMs: -60_000 });
		const before = hb.emulator.storage.requests.length;
		const error = await runNode(hb.options({ operation: 'getResults', taskId: id })).catch((e) => e);
		console.log(`expired link: "${error.message}" — ${error.description}`);
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(error.message).toMatch(new RegExp(`^The download link of task ${id} expired at \\d{4}-`));
		expect(error.description).toMatch(/Rerun/);
		expect(hb.emulator.storage.requests.length).toBe(before);
	});

	it('a link the storage host refuses as expired (403 AccessDenied) is the same clear error', async () => {
		const id = hb.emulator.createTask({ ...done, linkTtlMs: -60_000, expiryTimeSkewMs: 3_600_000 });
		const error = await runNode(hb.options({ operation: 'getResults', taskId: id })).catch((e) => e);
		expect(error.message).toMatch(new RegExp(`^The download link of task ${id} has expired \\(the storage host 127\\.0\\.0\\.1:\\d+ answered 403\\)`));
		expect(error.description).toMatch(/Rerun/);
	});

	it('a task that is not finished (or failed) says its status', async () => {
		const running = hb.emulator.createTask({ queuedMs: 0, processingMs: 60_000 });
		const failed = hb.emulator.createTask({ ...done, outcome: 'failed', errorMessage: 'Boom' });
		const ids = [running, failed];
		const items = await runNode(hb.options({ operation: 'getResults', taskId: (i: number) => ids[i] }, { items: [{}, {}], continueOnFail: true }));
		expect(items[0].json.error).toBe(`Task ${running} has no results to download: its status is "running" (Hirebase: "processing")`);
		expect(items[0].json.errorDescription).toMatch(/Wait for Completion/);
		expect(items[1].json.error).toBe(`Task ${failed} has no results to download: its status is "failed" (Hirebase: "failed"): Boom`);
	});

	it('a file that is not what it claims gives a readable error', async () => {
		const id = hb.emulator.createTask({ ...done, rawFile: '{"a":1}\n{"a":\n' });
		const error = await runNode(hb.options({ operation: 'getResults', taskId: id })).catch((e) => e);
		expect(error.message).toMatch(new RegExp(`^The export file of task ${id} could not be read: Line 2 of the JSON Lines file is not valid JSON`));
	});

	it('retries the download on a storage 503, still without the key', async () => {
		const id = hb.emulator.createTask({ ...done, recordCount: 2 });
		hb.emulator.storage.inject({ status: 503, count: 1, method: 'GET', body: { error: 'slow down' } });
		const before = hb.emulator.storage.requests.length;
		const rows = await runNode(hb.options({ operation: 'getResults', taskId: id }));
		expect(rows).toHaveLength(2);
		const seen = hb.emulator.storage.requests.slice(before);
		expect(seen).toHaveLength(2);
		expect(seen.every((r) => r.headers['x-api-key'] === undefined)).toBe(true);
	});
});

describe('Hirebase Trigger', () => {
	it('fires once per task when it finishes, honouring the outcome filter', async () => {
		const ok = hb.emulator.createTask({ queuedMs: 0, processingMs: 1500 });
		const okFinished = hb.emulator.createTask({ ...done, outcome: 'finished' });
		const failed = hb.emulator.createTask({ ...done, outcome: 'failed' });
		const staticData = {};
		const poll = () =>
			new (hb.triggerOptions({}).node.constructor as never as new () => { poll: () => Promise<unknown> })().poll.call(
				pollContext(hb.triggerOptions({ taskIds: `${ok}, ${okFinished}\n${failed}`, outcome: 'succeeded' }, { staticData })),
			) as Promise<Array<Array<{ json: { id: string; status: string } }>> | null>;

		const first = await poll();
		expect(first![0].map((i) => i.json.id)).toEqual([okFinished]);
		expect(await poll()).toBeNull();
		const okTask = hb.emulator.tasks.get(ok)!;
		while (hb.emulator.stateOf(okTask) !== 'completed') await new Promise((r) => setTimeout(r, 50));
		const second = await poll();
		expect(second![0].map((i) => [i.json.id, i.json.status])).toEqual([[ok, 'succeeded']]);
		expect(await poll()).toBeNull();
		// The failed task was remembered without firing.
		expect((staticData as { firedJobs: string[] }).firedJobs.sort()).toEqual([ok, okFinished, failed].sort());
	});

	it('manual mode returns a sample without changing state', async () => {
		const id = hb.emulator.createTask({ queuedMs: 60_000 });
		const staticData = {};
		const trigger = hb.triggerOptions({}).node;
		const out = (await trigger.poll!.call(pollContext(hb.triggerOptions({ taskIds: id, outcome: 'any' }, { staticData, mode: 'manual' })))) as Array<
			Array<{ json: { id: string; status: string } }>
		>;
		expect(out[0][0].json).toMatchObject({ id, status: 'queued' });
		expect(staticData).toEqual({});
	});

	it('an empty Task IDs field names the parameter', async () => {
		const trigger = hb.triggerOptions({}).node;
		await expect(trigger.poll!.call(pollContext(hb.triggerOptions({ taskIds: ' , ' })))).rejects.toThrow('The parameter "Task IDs" is empty');
	});
});

describe('Hirebase: credential', () => {
	it('defaults the Base URL to the public API', () => {
		expect(new HirebaseApi().properties.find((p) => p.name === 'baseUrl')!.default).toBe('https://api.hirebase.org');
	});
});
