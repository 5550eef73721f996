/**
 * Lobstr as its docs describe it (providers.md B): free plans cap results and
 * say so only in `warning`; abort is done at once and a finished run answers
 * 404; starting on a busy squid is a 400 validation_error; export_fix and
 * emails_verified are clean endings; tasks carry no squid.
 */
import type { NodeExecutionHint } from 'n8n-workflow';

import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import { byId, startLobstr } from '../helpers/lobstr';

let lobstr: Awaited<ReturnType<typeof startLobstr>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	lobstr = await startLobstr();
});
afterAll(() => lobstr.emulator.stop());

const fastWait = { pollInterval: 0.5, timeout: 20 };

describe('Lobstr: results capped by a free plan', () => {
	afterEach(() => (lobstr.emulator.resultsCap = undefined));

	it('every row says the list is capped, and the node shows a warning hint; an uncapped list has neither', async () => {
		const squid = lobstr.emulator.addSquid('Free plan');
		const run = lobstr.emulator.addFinishedRun(squid, 1000, { rows: 120 });
		lobstr.emulator.resultsCap = 50;
		const hints: NodeExecutionHint[] = [];
		const rows = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: run, returnAll: true }, { hints }));
		expect(rows).toHaveLength(50);
		const warning = `Lobstr capped the results of run ${run}: Free plan: only 50 results returned. Upgrade your plan to get all results.`;
		expect(rows.every((r) => r.json.resultsWarning === warning)).toBe(true);
		expect(hints).toEqual([{ message: `${warning} (50 rows output)`, type: 'warning', location: 'outputPane' }]);

		lobstr.emulator.resultsCap = undefined;
		const noHints: NodeExecutionHint[] = [];
		const all = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'squid', squid: byId(squid), returnAll: true }, { hints: noHints }));
		expect(all).toHaveLength(120);
		expect(all.some((r) => 'resultsWarning' in r.json)).toBe(false);
		expect(noHints).toEqual([]);
	});
});

describe('Lobstr: abort and errors as documented', () => {
	it('abort is done at once: cancelled, aborted: true; the emulator answers as docs/abort-run shows', async () => {
		const squid = lobstr.emulator.addSquid('Abort', { pendingMs: 0, runningMs: 60_000, rows: 300 });
		const run = lobstr.emulator.addRun(squid, { pendingMs: 0, runningMs: 60_000, rows: 300 });
		const [item] = await runNode(lobstr.options({ resource: 'run', operation: 'abort', runId: run }));
		const abortAnswer = lobstr.emulator.server.requests.filter((r) => r.path.endsWith(`/runs/${run}/abort`));
		expect(abortAnswer).toHaveLength(1);
		expect(item.json).toMatchObject({ id: run, status: 'cancelled', providerStatus: 'uploading', done: true, doneReason: 'aborted', aborted: true });
	});

	it('aborting a finished run says it had already finished (not "nothing exists"), or fails if asked; an unknown run is a 404 naming it', async () => {
		const squid = lobstr.emulator.addSquid('Done');
		const finished = lobstr.emulator.addFinishedRun(squid, 1000, { rows: 5 });

		const [output] = await runNode(lobstr.options({ resource: 'run', operation: 'abort', runId: finished }));
		expect(output.json).toMatchObject({
			id: finished,
			aborted: false,
			status: 'succeeded',
			message: `Run ${finished} had already finished with status "succeeded" (Lobstr: "done"), so there was nothing to abort`,
		});

		const error = await runNode(lobstr.options({ resource: 'run', operation: 'abort', runId: finished, ifAlreadyFinished: 'error' })).catch((e) => e);
		expect(error.message).toBe(`Run ${finished} had already finished with status "succeeded" (Lobstr: "done"), so there was nothing to abort`);
		expect(error.description).toMatch(/If Already Finished/);

		const unknown = await runNode(lobstr.options({ resource: 'run', operation: 'abort', runId: 'no-such-run' })).catch((e) => e);
		expect(unknown.message).toBe('Lobstr API error 404: Not found. — no run with ID "no-such-run"');
		expect(unknown.description).not.toMatch(/already finished/);
		// The abort POST itself was sent once, never retried.
		expect(lobstr.emulator.server.count('POST', '/runs/no-such-run/abort')).toBe(1);
	});

	it('starting on a squid with an active run: Lobstr\'s 400 validation_error becomes "already has an active run", one POST', async () => {
		const squid = lobstr.emulator.addSquid('Busy');
		lobstr.emulator.addRun(squid, { pendingMs: 0, runningMs: 60_000 });
		const before = lobstr.emulator.server.count('POST', '/runs');
		const error = await runNode(lobstr.options({ resource: 'run', operation: 'start', squid: byId(squid) })).catch((e) => e);
		expect(lobstr.emulator.server.count('POST', '/runs') - before).toBe(1);
		expect(error.message).toBe(`Squid ${squid} already has an active run, so no new run was started`);
		expect(error.description).toContain('A run is already active for this squid');
	});

	it('export_fix and emails_verified are clean endings (no warning); no_credits_left still warns', async () => {
		const squid = lobstr.emulator.addSquid('Reasons');
		const ids = ['export_fix', 'emails_verified', 'no_credits_left'].map((doneReason) => lobstr.emulator.addFinishedRun(squid, 1000, { doneReason, rows: 3 }));
		const items = await runNode(lobstr.options({ resource: 'run', operation: 'get', runId: (i: number) => ids[i] }, { items: ids.map(() => ({})) }));
		expect(items.map((i) => [i.json.status, i.json.doneReason, i.json.warning])).toEqual([
			['succeeded', 'export_fix', null],
			['succeeded', 'emails_verified', null],
			['succeeded', 'no_credits_left', 'The run ended early: You ran out of credits'],
		]);
	});

	it('tasks carry no squid field, and the task item says squid: null rather than inventing one', async () => {
		const squid = lobstr.emulator.addSquid('Tasks');
		const task = lobstr.emulator.addTask(squid);
		const [item] = await runNode(lobstr.options({ resource: 'task', operation: 'get', taskHash: task }));
		expect('squid' in (item.json.raw as object)).toBe(false);
		expect(item.json.squid).toBeNull();
	});

	it('a run waited on after an abort ends cancelled, with the partial results exported', async () => {
		const squid = lobstr.emulator.addSquid('Partial', { pendingMs: 0, runningMs: 2_000, rows: 100 });
		const run = lobstr.emulator.addRun(squid, { pendingMs: 0, runningMs: 2_000, rows: 100 });
		await new Promise((r) => setTimeout(r, 300));
		await runNode(lobstr.options({ resource: 'run', operation: 'abort', runId: run }));
		const [waited] = await runNode(lobstr.options({ resource: 'run', operation: 'waitForCompletion', runId: run, ...fastWait, waitOptions: { onJobFailure: 'output' } }));
		expect(waited.json).toMatchObject({ status: 'cancelled', done: true, doneReason: 'aborted' });
		expect(waited.json.resultCount as number).toBeGreaterThan(0);
		expect(waited.json.resultCount as number).toBeLessThan(100);
	});
});
