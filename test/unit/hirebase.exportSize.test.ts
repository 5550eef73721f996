/**
 * Hirebase sizes (and bills) an export by its search's `limit` (providers.md A):
 * the node sends "Max Records" as that limit, and Rerun keeps the original size.
 */
import { Hirebase } from '../../nodes/Hirebase/Hirebase.node';
import { retryPolicy } from '../../nodes/shared/transport';
import { DEFAULT_SEARCH_LIMIT } from '../emulators/hirebase';
import { runNode } from '../helpers/n8nContext';
import { startHirebase } from '../helpers/hirebase';

let hb: Awaited<ReturnType<typeof startHirebase>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	hb = await startHirebase();
});
afterAll(() => hb.emulator.stop());

const fast = { pollInterval: 0.1, timeout: 10 };
const exportBodies = () => hb.emulator.api.requests.filter((r) => r.method === 'POST' && r.path === '/v2/jobs/export').map((r) => r.body);

describe('Hirebase: export size (Max Records)', () => {
	it('the emulator, like the API, exports the search model\'s default 10 records when no limit is sent, and echoes it', async () => {
		const response = await fetch(`${hb.emulator.baseUrl}/v2/jobs/export`, {
			method: 'POST',
			headers: { 'x-api-key': hb.emulator.apiKey, 'content-type': 'application/json' },
			body: JSON.stringify({ search: { job_titles: ['Engineer'] }, format: 'json' }),
		});
		const task = (await response.json()) as { id: string; input: { query: Record<string, unknown> } };
		expect(task.input.query).toMatchObject({ job_titles: ['Engineer'], page: 1, limit: DEFAULT_SEARCH_LIMIT });
		hb.emulator.tasks.get(task.id)!.plan = { queuedMs: 0, processingMs: 0 };
		const [read] = await runNode(hb.options({ operation: 'get', taskId: task.id }));
		expect(read.json.resultCount).toBe(10);
	});

	it('Max Records defaults to 100, is sent as search.limit, and sizes the export; the item shows it', async () => {
		hb.emulator.exportPlan = () => ({ queuedMs: 20, processingMs: 60, recordCount: 5000 });
		const node = new Hirebase();
		expect(node.description.properties.find((p) => p.name === 'maxRecords')).toMatchObject({ default: 100, type: 'number' });
		expect(node.description.properties.find((p) => p.name === 'maxRecords')?.hint).toMatch(/bills exports per record.*only 10/);

		const before = exportBodies().length;
		const [byDefault] = await runNode(hb.options({ operation: 'createExport', waitForCompletion: true, ...fast }));
		const [sized] = await runNode(hb.options({ operation: 'createExport', maxRecords: 25, waitForCompletion: true, ...fast }));
		const sent = exportBodies().slice(before);
		expect(sent.map((b) => b.search.limit)).toEqual([100, 25]);
		expect(byDefault.json).toMatchObject({ status: 'succeeded', resultCount: 100, maxRecords: 100 });
		expect(sized.json).toMatchObject({ status: 'succeeded', resultCount: 25, maxRecords: 25 });
		const rows = await runNode(hb.options({ operation: 'getResults', taskId: sized.json.id }));
		expect(rows).toHaveLength(25);
	});

	it('Rerun keeps the original export\'s size', async () => {
		hb.emulator.exportPlan = () => ({ queuedMs: 0, processingMs: 0, recordCount: 5000 });
		const [original] = await runNode(hb.options({ operation: 'createExport', maxRecords: 37 }));
		const before = exportBodies().length;
		const [rerun] = await runNode(hb.options({ operation: 'rerun', taskId: original.json.id, waitForCompletion: true, ...fast }));
		const [sent] = exportBodies().slice(before);
		expect(sent.search.limit).toBe(37);
		expect(rerun.json).toMatchObject({ status: 'succeeded', resultCount: 37, maxRecords: 37, originalJobId: original.json.id });
	});

	it('a Max Records that is not a whole number of at least 1 is refused before any export starts, naming the parameter', async () => {
		const before = exportBodies().length;
		const values = [0, 2.5, 'lots'];
		const items = await runNode(
			hb.options({ operation: 'createExport', maxRecords: (i: number) => values[i] }, { items: values.map(() => ({})), continueOnFail: true }),
		);
		expect(items.map((i) => i.json.error)).toEqual([
			'The parameter "Max Records" must be a whole number of at least 1, but item 0 gave "0"',
			'The parameter "Max Records" must be a whole number of at least 1, but item 1 gave "2.5"',
			'The parameter "Max Records" must be a whole number of at least 1, but item 2 gave "lots"',
		]);
		expect(exportBodies().length - before).toBe(0);
	});
});
