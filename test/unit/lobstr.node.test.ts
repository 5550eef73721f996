import { LobstrApi } from '../../credentials/LobstrApi.credentials';
import { runToCanonical } from '../../nodes/Lobstr/lobstr.adapter';
import { Lobstr } from '../../nodes/Lobstr/Lobstr.node';
import { retryPolicy } from '../../nodes/shared/transport';
import { executeContext, runNode } from '../helpers/n8nContext';
import type { SentRequest } from '../helpers/n8nContext';
import { byId, byList, startLobstr } from '../helpers/lobstr';

let lobstr: Awaited<ReturnType<typeof startLobstr>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	lobstr = await startLobstr();
});
afterAll(() => lobstr.emulator.stop());

const fastWait = { pollInterval: 0.3, timeout: 20 };

describe('Lobstr: credential', () => {
	it('sends "Authorization: Token …" and the test passes with the right key, fails with a wrong one', async () => {
		const type = new LobstrApi();
		expect(type.properties.find((p) => p.name === 'baseUrl')?.default).toBe('https://api.lobstr.io/v1');

		const squid = lobstr.emulator.addSquid('Auth check');
		const run = lobstr.emulator.addFinishedRun(squid, 1000);
		const sent: SentRequest[] = [];
		await runNode(lobstr.options({ resource: 'run', operation: 'get', runId: run }, { sent }));
		expect(sent[0].headers.Authorization).toBe(`Token ${lobstr.emulator.apiKey}`);
	});

	it('a wrong key gives the API message ({detail}) and the key hint', async () => {
		const options = lobstr.options({ resource: 'run', operation: 'get', runId: 'x' });
		options.credentials = { lobstrApi: { baseUrl: lobstr.emulator.baseUrl, apiKey: 'wrong' } };
		const error = await runNode(options).catch((e) => e);
		expect(error.message).toBe('Lobstr API error 401: Invalid token.');
		expect(error.description).toMatch(/Check the API key in your Lobstr credential/);
	});
});

describe('Lobstr: Task', () => {
	it('Get Task outputs the canonical job with the task\'s own counts', async () => {
		const squid = lobstr.emulator.addSquid('Tasks');
		const task = lobstr.emulator.addTask(squid, { url: 'https://www.linkedin.com/in/johndoe' });
		lobstr.emulator.addFinishedRun(squid, 5000, { rows: 156 });
		const [item] = await runNode(lobstr.options({ resource: 'task', operation: 'get', taskHash: task }));
		expect(item.json).toMatchObject({
			id: task,
			provider: 'lobstr',
			kind: 'task',
			status: 'succeeded',
			providerStatus: 'completed',
			done: true,
			resultCount: 156,
			totalPages: 8,
			hasErrors: false,
			doneReason: 'completed',
			params: { url: 'https://www.linkedin.com/in/johndoe' },
			// Tasks carry no squid field (providers.md B).
			squid: null,
		});
		expect(item.json.finishedAt).toMatch(/Z$/);
		expect((item.json.raw as { object: string }).object).toBe('task');
	});

	it('a failed task carries its errors; an unknown task gives the seed\'s 404 message', async () => {
		const squid = lobstr.emulator.addSquid('Failing tasks');
		const task = lobstr.emulator.addTask(squid, { url: 'https://x' }, { status: 'failed', errors: 'Page blocked by captcha', doneReason: 'error' });
		const [item] = await runNode(lobstr.options({ resource: 'task', operation: 'get', taskHash: task }));
		expect(item.json).toMatchObject({ status: 'failed', error: 'Page blocked by captcha', hasErrors: true });

		const error = await runNode(lobstr.options({ resource: 'task', operation: 'get', taskHash: 'c5e29d2aba8b77cdc56391e7405302de' })).catch((e) => e);
		expect(error.message).toBe('Lobstr API error 404: Task not found (task_hash) — no task with ID "c5e29d2aba8b77cdc56391e7405302de"');
		expect(error.description).toMatch(/check the ID/);
	});

	it('Wait for Completion waits for the task through its run', async () => {
		const squid = lobstr.emulator.addSquid('Task wait');
		const task = lobstr.emulator.addTask(squid);
		lobstr.emulator.addRun(squid, { pendingMs: 200, runningMs: 600, rows: 30 });
		const [item] = await runNode(lobstr.options({ resource: 'task', operation: 'waitForCompletion', taskHash: task, ...fastWait }));
		expect(item.json).toMatchObject({ status: 'succeeded', done: true, resultCount: 30, timedOut: false });
		expect(item.json.polls).toBeGreaterThan(1);
	});
});

describe('Lobstr: Run', () => {
	it('Start → Wait → Get Results of 1,000 rows, without a single 429', async () => {
		const squid = lobstr.emulator.addSquid('Big run', { pendingMs: 200, runningMs: 1000, uploadingMs: 300, rows: 1000 });
		lobstr.emulator.addTask(squid);
		const rejectedBefore = lobstr.emulator.rejected;
		const started = Date.now();

		const [run] = await runNode(lobstr.options({ resource: 'run', operation: 'start', squid: byList(squid), waitForCompletion: true, ...fastWait }));
		expect(run.json).toMatchObject({ status: 'succeeded', providerStatus: 'done', done: true, resultCount: 1000, squid, warning: null, exportDone: true, progress: 100 });
		const waitedMs = Date.now() - started;

		const resultsBefore = lobstr.emulator.server.count('GET', '/results');
		const rows = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: run.json.id, returnAll: true }));
		const elapsed = Date.now() - started;
		const resultRequests = lobstr.emulator.server.count('GET', '/results') - resultsBefore;
		const rejected = lobstr.emulator.rejected - rejectedBefore;
		console.log(
			`Lobstr 1,000 rows: start+wait ${(waitedMs / 1000).toFixed(1)} s, results ${((elapsed - waitedMs) / 1000).toFixed(1)} s ` +
				`(${resultRequests} requests to /results), total ${(elapsed / 1000).toFixed(1)} s; 429s sent by the emulator: ${rejected}`,
		);
		expect(rows).toHaveLength(1000);
		expect(new Set(rows.map((r) => r.json.id)).size).toBe(1000);
		expect(rows[0].json).toMatchObject({ run: run.json.id, position: 1 });
		expect(rows[999].json.position).toBe(1000);
		expect(rows.every((r) => r.pairedItem && (r.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(resultRequests).toBe(10);
		expect(rejected).toBe(0);
	});

	it('Get reads progress from the run\'s stats ("42%" → 42)', async () => {
		const squid = lobstr.emulator.addSquid('Progress');
		const run = lobstr.emulator.addRun(squid, { pendingMs: 0, runningMs: 10_000, rows: 100 });
		await new Promise((r) => setTimeout(r, 300));
		const [item] = await runNode(lobstr.options({ resource: 'run', operation: 'get', runId: run }));
		expect(item.json).toMatchObject({ status: 'running', providerStatus: 'running', done: false, kind: 'run', squid });
		expect(item.json.progress).toBeGreaterThan(0);
		expect(item.json.progress).toBeLessThan(100);
		expect((item.json.raw as { stats: { percent_done: string } }).stats.percent_done).toMatch(/^\d+%$/);
		expect(lobstr.emulator.server.count('GET', `/runs/${run}/stats`)).toBe(1);
	});

	it('maps pending, paused and uploading as not finished, and done with no_credits_left as succeeded with a warning', async () => {
		const squid = lobstr.emulator.addSquid('Statuses');
		const pending = lobstr.emulator.addRun(squid, { pendingMs: 60_000 });
		const paused = lobstr.emulator.addRun(lobstr.emulator.addSquid(), { pendingMs: 0, pausedMs: 60_000 });
		const uploading = lobstr.emulator.addRun(lobstr.emulator.addSquid(), { pendingMs: 0, runningMs: 0, uploadingMs: 60_000, rows: 7 });
		const noCredits = lobstr.emulator.addFinishedRun(lobstr.emulator.addSquid(), 1000, { doneReason: 'no_credits_left', rows: 12 });
		const clean = lobstr.emulator.addFinishedRun(lobstr.emulator.addSquid(), 1000);
		const failed = lobstr.emulator.addFinishedRun(lobstr.emulator.addSquid(), 1000, { outcome: 'error' });
		const ids = [pending, paused, uploading, noCredits, clean, failed];
		const items = await runNode(lobstr.options({ resource: 'run', operation: 'get', runId: (i: number) => ids[i] }, { items: ids.map(() => ({})) }));
		expect(items.map((i) => [i.json.providerStatus, i.json.status, i.json.done])).toEqual([
			['pending', 'queued', false],
			['paused', 'running', false],
			['uploading', 'running', false],
			['done', 'succeeded', true],
			['done', 'succeeded', true],
			['error', 'failed', true],
		]);
		expect(items[2].json.exportDone).toBe(false);
		expect(items[3].json).toMatchObject({ doneReason: 'no_credits_left', warning: 'The run ended early: You ran out of credits', resultCount: 12 });
		expect(items[4].json).toMatchObject({ doneReason: 'tasks_done', warning: null });
		expect(items[5].json.error).toBe('The crawler crashed');
	});

	it('an unrecognised status is "unknown" and not final; done after an abort is cancelled', () => {
		expect(runToCanonical({ id: 'r', status: 'hibernating' })).toMatchObject({ status: 'unknown', done: false, providerStatus: 'hibernating' });
		expect(runToCanonical({ id: 'r', status: 'uploading', done_reason: 'aborted', is_done: false })).toMatchObject({ status: 'running', done: false });
		expect(runToCanonical({ id: 'r', status: 'done', done_reason: 'aborted', is_done: true })).toMatchObject({ status: 'cancelled', done: true });
	});

	it('Abort: the abort answer is done (uploading, done_reason aborted), the run ends aborted', async () => {
		const squid = lobstr.emulator.addSquid('Abort me', { pendingMs: 100, runningMs: 60_000, rows: 500 });
		const [started] = await runNode(lobstr.options({ resource: 'run', operation: 'start', squid: byId(squid) }));
		expect(started.json).toMatchObject({ status: 'queued', done: false, squid });
		await new Promise((r) => setTimeout(r, 200));
		const [aborted] = await runNode(lobstr.options({ resource: 'run', operation: 'abort', runId: started.json.id }));
		// docs/abort-run: 200 {status:"uploading", is_done:true, done_reason:"aborted"} — cancelled at once.
		expect(aborted.json).toMatchObject({ id: started.json.id, providerStatus: 'uploading', status: 'cancelled', doneReason: 'aborted', done: true, aborted: true });

		const error = await runNode(lobstr.options({ resource: 'run', operation: 'waitForCompletion', runId: started.json.id, ...fastWait })).catch((e) => e);
		expect(error.message).toMatch(new RegExp(`^Job ${started.json.id} was cancelled`));

		const [waited] = await runNode(
			lobstr.options({ resource: 'run', operation: 'waitForCompletion', runId: started.json.id, ...fastWait, waitOptions: { onJobFailure: 'output' } }),
		);
		// Done from the abort on (is_done), while its partial results may still be uploading.
		expect(waited.json).toMatchObject({ status: 'cancelled', doneReason: 'aborted', done: true });
		expect(['uploading', 'aborted']).toContain(waited.json.providerStatus);

		// Aborting again: Lobstr answers 404 "Run not found or already completed"; the run exists, so: already finished.
		const [again] = await runNode(lobstr.options({ resource: 'run', operation: 'abort', runId: started.json.id }));
		expect(again.json).toMatchObject({ aborted: false, status: 'cancelled' });
		expect(again.json.message).toMatch(new RegExp(`^Run ${started.json.id} had already finished with status "cancelled" \\(Lobstr: "(uploading|aborted)"\\), so there was nothing to abort$`));
	});

	it('Rerun while a run is active: a clear error and exactly one POST', async () => {
		const squid = lobstr.emulator.addSquid('Busy', { pendingMs: 0, runningMs: 60_000 });
		const first = lobstr.emulator.addFinishedRun(squid, 10_000);
		const active = lobstr.emulator.addRun(squid, { pendingMs: 0, runningMs: 60_000 });
		const postsBefore = lobstr.emulator.server.count('POST', '/runs');
		const error = await runNode(lobstr.options({ resource: 'run', operation: 'rerun', runId: first })).catch((e) => e);
		const posts = lobstr.emulator.server.count('POST', '/runs') - postsBefore;
		console.log(`Lobstr rerun with an active run: ${posts} POST; user sees "${error.message}" — ${error.description}`);
		expect(posts).toBe(1);
		expect(error.message).toBe(`Squid ${squid} already has an active run, so no new run was started`);
		expect(active).toBeTruthy();
		expect(error.description).toContain('it answered: Lobstr API error 400: A run is already active for this squid');
		expect(error.description).toMatch(/Wait for the active run to finish .* or abort it/);
		expect(error.context.itemIndex).toBe(0);
	});

	it('Rerun of a finished run starts a new run on its squid and can wait for it', async () => {
		const squid = lobstr.emulator.addSquid('Again', { pendingMs: 100, runningMs: 400, uploadingMs: 100, rows: 40 });
		const first = lobstr.emulator.addFinishedRun(squid, 10_000);
		const [item] = await runNode(lobstr.options({ resource: 'run', operation: 'rerun', runId: first, waitForCompletion: true, ...fastWait }));
		expect(item.json.id).not.toBe(first);
		expect(item.json).toMatchObject({ previousRun: first, squid, status: 'succeeded', resultCount: 40 });
		expect(lobstr.emulator.runs.get(item.json.id as string)?.squid).toBe(squid);
	});

	it('Start on an unknown squid gives the {error:"msg"} message; an empty squid names the parameter and item', async () => {
		const error = await runNode(lobstr.options({ resource: 'run', operation: 'start', squid: byId('nope') })).catch((e) => e);
		expect(error.message).toBe('Lobstr API error 404: Squid not found — no squid with ID "nope"');

		const items = await runNode(
			lobstr.options({ resource: 'run', operation: 'start', squid: (i: number) => [byList(''), '  '][i] }, { items: [{}, {}], continueOnFail: true }),
		);
		expect(items.map((i) => i.json.error)).toEqual(['The parameter "Squid" is empty in item 0', 'The parameter "Squid" is empty in item 1']);
	});

	it('an unknown run gives the {detail} message', async () => {
		const error = await runNode(lobstr.options({ resource: 'run', operation: 'get', runId: 'missing-run' })).catch((e) => e);
		expect(error.message).toBe('Lobstr API error 404: Not found. — no run with ID "missing-run"');
		expect(error.httpCode).toBe('404');
	});
});

describe('Lobstr: Results', () => {
	it('Limit asks only for the pages it needs; a squid\'s rows can be filtered by task', async () => {
		const squid = lobstr.emulator.addSquid('Results');
		const taskA = lobstr.emulator.addTask(squid, { url: 'a' });
		lobstr.emulator.addTask(squid, { url: 'b' });
		const run = lobstr.emulator.addFinishedRun(squid, 1000, { rows: 300 });
		const before = lobstr.emulator.server.count('GET', '/results');
		const limited = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: run, returnAll: false, limit: 150 }));
		expect(limited).toHaveLength(150);
		expect(lobstr.emulator.server.count('GET', '/results') - before).toBe(2);

		const ofTask = await runNode(
			lobstr.options({ resource: 'result', operation: 'getResults', source: 'squid', squid: byList(squid), returnAll: true, resultOptions: { task: taskA } }),
		);
		expect(ofTask).toHaveLength(150);
		expect(ofTask.every((r) => r.json.task === taskA)).toBe(true);
		const query = lobstr.emulator.server.requests.filter((r) => r.path === '/v1/results').pop()!.query;
		expect(query.get('squid')).toBe(squid);
		expect(query.has('run')).toBe(false);
		expect(query.get('task')).toBe(taskA);
		expect(query.get('limit')).toBe('100');
	});

	it('an unknown run names the API\'s message; an empty Run ID names the parameter', async () => {
		const error = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: 'nope', returnAll: true })).catch((e) => e);
		expect(error.message).toBe('Lobstr API error 404: Run not found. — no run with ID "nope"');
		const empty = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: '' })).catch((e) => e);
		expect(empty.message).toBe('The parameter "Run ID" is empty in item 0');
	});

	it('stays under 2 requests/s on /results when the server is strict, and honours a 429 if one comes anyway', async () => {
		const squid = lobstr.emulator.addSquid('Strict');
		const run = lobstr.emulator.addFinishedRun(squid, 1000, { rows: 250 });
		lobstr.emulator.server.inject({ status: 429, count: 1, method: 'GET', pathPrefix: '/results', headers: { 'Retry-After': '1' }, body: { detail: 'Request was throttled. Expected available in 1 second.' } });
		const rows = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: run, returnAll: true }));
		expect(rows).toHaveLength(250);
		const times = lobstr.emulator.server.requests.filter((r) => r.path.startsWith('/v1/results')).map((r) => r.at);
		for (let i = 2; i < times.length; i++) expect(times[i] - times[i - 2]).toBeGreaterThanOrEqual(1000);
	});

	it('no 429 when the network delays requests unevenly: the 2/s window counts from each answer, not from each send', async () => {
		const squid = lobstr.emulator.addSquid('Jitter');
		const run = lobstr.emulator.addFinishedRun(squid, 1000, { rows: 1000 });
		const rejectedBefore = lobstr.emulator.limits.results.rejected;
		// Each request reaches Lobstr 0–250 ms after it was sent: sends 1 s apart may arrive closer.
		lobstr.emulator.server.latencyJitterMs = 250;
		try {
			const started = Date.now();
			const rows = await runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: run, returnAll: true }));
			const seconds = (Date.now() - started) / 1000;
			expect(rows).toHaveLength(1000);
			expect(lobstr.emulator.limits.results.rejected - rejectedBefore).toBe(0);
			// 10 pages at 2 per (1 s + a round trip of at most 250 ms): well under 10 pages at 1 per second.
			expect(seconds).toBeLessThan(7);
		} finally {
			lobstr.emulator.server.latencyJitterMs = 0;
		}
	});

	it('the {errors:{message,type,code}} shape is read too (limit above 100)', async () => {
		const { apiRequest } = await import('../../nodes/shared/transport');
		const { lobstrApi } = await import('../../nodes/Lobstr/lobstr.adapter');
		const ctx = executeContext(lobstr.options({}));
		const error = await apiRequest(ctx, lobstrApi, { method: 'GET', path: '/squids', qs: { limit: 500 } }).catch((e) => e);
		expect(error.message).toBe('Lobstr API error 400: limit must be an integer between 1 and 100');
	});
});

describe('Lobstr: squid list search', () => {
	it('lists squids by name with a filter, and pages through more than 100', async () => {
		const other = await startLobstr();
		try {
			for (let i = 1; i <= 105; i++) other.emulator.addSquid(i === 42 ? 'Google Maps — Paris bakeries' : `Squid ${i}`);
			const node = new Lobstr();
			const ctx = executeContext(other.options({}));
			const search = node.methods.listSearch.searchSquids;
			const first = await search.call(ctx as never);
			expect(first.results).toHaveLength(100);
			expect(first.paginationToken).toBe('2');
			const second = await search.call(ctx as never, undefined, first.paginationToken);
			expect(second.results).toHaveLength(5);
			expect(second.paginationToken).toBeUndefined();

			const filtered = [
				...(await search.call(ctx as never, 'paris')).results,
				...(await search.call(ctx as never, 'paris', '2')).results,
			];
			expect(filtered).toHaveLength(1);
			expect(filtered[0]).toMatchObject({ name: 'Google Maps — Paris bakeries' });
			expect(other.emulator.squids.has(String(filtered[0].value))).toBe(true);

			const options = await node.methods.loadOptions.getSquids.call(ctx as never);
			expect(options).toHaveLength(105);
		} finally {
			await other.emulator.stop();
		}
	});
});
