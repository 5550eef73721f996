/**
 * Platform Jobs (providers.md D): error `details` is an object, shown in the
 * error; Get Result picks the rows by name and never outputs nothing silently.
 */
import type { NodeExecutionHint } from 'n8n-workflow';

import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import { startPlatform } from '../helpers/platform';

let platform: Awaited<ReturnType<typeof startPlatform>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	platform = await startPlatform();
});
afterAll(() => platform.emulator.stop());

describe('Platform Jobs: error details are an object', () => {
	it('the emulator sends details as an object, and the error description shows its content', async () => {
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const raw = await fetch(`${platform.emulator.baseUrl}/jobs/${running}/rerun`, { method: 'POST', headers: { authorization: `Bearer ${platform.emulator.apiKey}` } });
		const body = (await raw.json()) as { data: null; error: { details: unknown } };
		expect(body.error.details).toEqual({ jobId: running, status: 'running', allowedStatuses: ['completed', 'failed', 'cancelled'] });

		const error = await runNode(platform.options({ operation: 'rerun', jobId: running })).catch((e) => e);
		expect(error.message).toBe('Platform Jobs API error 409: Job is still in progress and cannot be rerun');
		expect(error.description).toContain(`Details: jobId: ${running}; status: running; allowedStatuses: ["completed","failed","cancelled"].`);
	});

	it('a 200 whose envelope carries an error shows the details too', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		platform.emulator.server.inject({
			status: 200,
			count: 1,
			method: 'GET',
			pathPrefix: `/jobs/${id}`,
			body: { data: null, error: { name: 'Forbidden', message: 'Job belongs to another workspace', details: { workspace: 'ws_42', required: 'jobs:read' } } },
		});
		const error = await runNode(platform.options({ operation: 'get', jobId: id })).catch((e) => e);
		expect(error.message).toBe('Platform Jobs API error: Job belongs to another workspace');
		expect(error.description).toBe('Details: workspace: ws_42; required: jobs:read');
	});
});

describe('Platform Jobs: Get Result picks the rows', () => {
	const rows = [{ a: 1 }, { a: 2 }, { a: 3 }];
	const job = (result: Record<string, unknown>) => platform.emulator.createJob({ queuedMs: 0, runMs: 0, type: 'export', result });

	it('prefers a known row key over an earlier list: {warnings: [], rows: […]} gives the rows', async () => {
		const id = job({ warnings: [], rows });
		const items = await runNode(platform.options({ operation: 'getResult', jobId: id }));
		expect(items.map((i) => i.json)).toEqual(rows);
	});

	it('"Rows Field" names the list (dot paths too)', async () => {
		const id = job({ warnings: ['x'], output: { lines: rows } });
		const items = await runNode(platform.options({ operation: 'getResult', jobId: id, rowsField: 'output.lines' }));
		expect(items.map((i) => i.json)).toEqual(rows);
		const error = await runNode(platform.options({ operation: 'getResult', jobId: id, rowsField: 'lines' })).catch((e) => e);
		expect(error.message).toBe(`Job ${id}'s result has no list at "lines" (the "Rows Field" parameter)`);
		expect(error.description).toMatch(/fields are: warnings, output/);
	});

	it('several unknown lists: an error asking for "Rows Field", never a guess', async () => {
		const id = job({ warnings: ['w'], skipped: [{ b: 1 }] });
		const error = await runNode(platform.options({ operation: 'getResult', jobId: id })).catch((e) => e);
		expect(error.message).toBe(`Job ${id}'s result has several lists (warnings, skipped): set "Rows Field" to the one that holds the rows`);
	});

	it('an empty row list outputs nothing, and a hint says why', async () => {
		const id = job({ rowCount: 0, rows: [] });
		const hints: NodeExecutionHint[] = [];
		const items = await runNode(platform.options({ operation: 'getResult', jobId: id }, { hints }));
		expect(items).toEqual([]);
		expect(hints).toEqual([{ message: `Job ${id} finished, but its result.rows has no rows, so nothing was output.`, type: 'warning', location: 'outputPane' }]);
	});

	it('a result with no list at all is output as one item', async () => {
		const id = job({ documentsProcessed: 50, errors: 0 });
		const items = await runNode(platform.options({ operation: 'getResult', jobId: id }));
		expect(items.map((i) => i.json)).toEqual([{ documentsProcessed: 50, errors: 0 }]);
	});
});
