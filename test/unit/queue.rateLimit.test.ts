/**
 * Queue mode runs one n8n process per worker, and each keeps its own count of
 * the requests it sent. Several workers reading one Lobstr account together
 * therefore exceed its 2 requests/s /results limit between them, and the server
 * answers 429 with Retry-After and X-RateLimit-*. These tests load the node code
 * once per "worker process" (jest.isolateModules: separate rate-limit and retry
 * state, as in separate processes) and read at the same time, over real HTTP.
 * The real-n8n version with two workers is case 4 of test/e2e/queue.ts.
 */
import type { INodeExecutionData, INodeType } from 'n8n-workflow';

import { LobstrApi } from '../../credentials/LobstrApi.credentials';
import type { retryPolicy as RetryPolicy } from '../../nodes/shared/transport';
import { LobstrEmulator } from '../emulators/lobstr';
import { runNode } from '../helpers/n8nContext';

/** A fresh copy of the Lobstr node with its own transport state: one "worker process". */
function workerProcess(): { node: INodeType; retryPolicy: typeof RetryPolicy } {
	let loaded: { node: INodeType; retryPolicy: typeof RetryPolicy } | undefined;
	jest.isolateModules(() => {
		/* eslint-disable @typescript-eslint/no-require-imports */
		const { Lobstr } = require('../../nodes/Lobstr/Lobstr.node');
		const { retryPolicy } = require('../../nodes/shared/transport');
		/* eslint-enable @typescript-eslint/no-require-imports */
		loaded = { node: new Lobstr(), retryPolicy };
	});
	return loaded!;
}

let emulator: LobstrEmulator;
beforeAll(async () => {
	emulator = new LobstrEmulator();
	await emulator.start();
});
afterAll(() => emulator.stop());

function readResults(worker: { node: INodeType }, runId: string): Promise<INodeExecutionData[]> {
	return runNode({
		node: worker.node,
		parameters: { resource: 'result', operation: 'getResults', source: 'run', runId, returnAll: true },
		credentials: { lobstrApi: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey } },
		credentialTypes: [new LobstrApi()],
	});
}

describe('several worker processes reading one Lobstr account at once', () => {
	it('10 workers: every read completes with all its rows; the 429s they cause are waited out, not counted as failures', async () => {
		const squid = emulator.addSquid('Shared account');
		const run = emulator.addFinishedRun(squid, 1000, { rows: 200 });
		const rejectedBefore = emulator.limits.results.rejected;
		const started = Date.now();
		// Before 429s with Retry-After stopped using up the 4 retries, 3 of these 10 reads
		// failed with "Lobstr API error 429 … Gave up after 5 attempts".
		const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => readResults(workerProcess(), run)));
		const served429 = emulator.limits.results.rejected - rejectedBefore;
		const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason?.message));
		console.log(`10 workers × 2 pages of /results: ${served429} answered 429 and were retried, ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures.length} failed`);
		expect(failures).toEqual([]);
		expect(served429).toBeGreaterThan(0);
		for (const o of outcomes) {
			const rows = (o as PromiseFulfilledResult<INodeExecutionData[]>).value;
			expect(rows).toHaveLength(200);
			expect(new Set(rows.map((r) => r.json.id)).size).toBe(200);
		}
	}, 120_000);

	it('a server that keeps answering 429 is waited out only up to the wait budget, then counts as the usual retries, then the read fails with its message', async () => {
		const worker = workerProcess();
		worker.retryPolicy.maxServerWaitMs = 2_500;
		const squid = emulator.addSquid('Always throttled');
		const run = emulator.addFinishedRun(squid, 1000, { rows: 10 });
		const before = emulator.server.count('GET', '/results');
		// 2.5 s of budget at 1–1.25 s a 429 = 2 waits, then the 4 counted retries: 7 requests in all.
		emulator.server.inject({ status: 429, count: 7, method: 'GET', pathPrefix: '/results', headers: { 'Retry-After': '1' }, body: { detail: 'Request was throttled. Expected available in 1 second.' } });
		const started = Date.now();
		const error = await readResults(worker, run).then(() => undefined, (e: Error & { description?: string }) => e);
		const tookMs = Date.now() - started;
		expect(error?.message).toMatch(/429.*throttled/);
		expect(error?.description).toMatch(/Gave up after 7 attempts/);
		expect(emulator.server.count('GET', '/results') - before).toBe(7);
		expect(tookMs).toBeGreaterThanOrEqual(6_000);
		expect(tookMs).toBeLessThan(10_000);
	}, 30_000);
});
