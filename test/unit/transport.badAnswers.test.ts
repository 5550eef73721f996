/**
 * Answers that are not what the API promises: a 200 that is not JSON (a proxy's
 * or login page, a body cut short), and 404s — for every provider, over real
 * HTTP to the emulators. Plus: one account's rate limit must not hold back
 * another account on the same host.
 */
import { retryPolicy } from '../../nodes/shared/transport';
import type { EmulatorServer } from '../emulators/server';
import { runNode } from '../helpers/n8nContext';
import type { ContextOptions } from '../helpers/n8nContext';
import { startHasData } from '../helpers/hasData';
import { startHirebase } from '../helpers/hirebase';
import { startLobstr } from '../helpers/lobstr';
import { startPlatform } from '../helpers/platform';

let hb: Awaited<ReturnType<typeof startHirebase>>;
let lobstr: Awaited<ReturnType<typeof startLobstr>>;
let hd: Awaited<ReturnType<typeof startHasData>>;
let platform: Awaited<ReturnType<typeof startPlatform>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	[hb, lobstr, hd, platform] = await Promise.all([startHirebase(), startLobstr(), startHasData(), startPlatform()]);
});
afterAll(() => Promise.all([hb.emulator.stop(), lobstr.emulator.stop(), hd.emulator.stop(), platform.emulator.stop()]));

const LOGIN_PAGE =
	'<!DOCTYPE html><html><head><title>Sign in - Corporate Proxy</title><style>body{font:12px}</style></head>' +
	'<body><h1>Please sign in</h1><form action="/login"><input name="user"></form><script>var x = 1;</script></body></html>';

interface Case {
	provider: string;
	server: () => EmulatorServer;
	/** A job that exists, and the path prefix of its read (below the server's prefix). */
	job: () => { id: string; readPath: string };
	get: (id: string, extra?: Partial<ContextOptions>) => ContextOptions;
	wait: (id: string, extra?: Record<string, unknown>) => ContextOptions;
	/** The message start of a 404 for `id`. */
	notFound: (id: string) => string;
}

const cases: Case[] = [
	{
		provider: 'Hirebase',
		server: () => hb.emulator.api,
		job: () => {
			const id = hb.emulator.createTask({ queuedMs: 0, processingMs: 0 });
			return { id, readPath: `/v2/tasks/${id}` };
		},
		get: (id, extra) => hb.options({ operation: 'get', taskId: id }, extra),
		wait: (id, extra) => hb.options({ operation: 'waitForCompletion', taskId: id, ...extra }),
		notFound: (id) => `Hirebase API error 404: Task not found — no task with ID "${id}"`,
	},
	{
		provider: 'Lobstr',
		server: () => lobstr.emulator.server,
		job: () => {
			const id = lobstr.emulator.addFinishedRun(lobstr.emulator.addSquid(), 1000);
			return { id, readPath: `/runs/${id}` };
		},
		get: (id, extra) => lobstr.options({ resource: 'run', operation: 'get', runId: id }, extra),
		wait: (id, extra) => lobstr.options({ resource: 'run', operation: 'waitForCompletion', runId: id, ...extra }),
		notFound: (id) => `Lobstr API error 404: Not found. — no run with ID "${id}"`,
	},
	{
		provider: 'HasData',
		server: () => hd.emulator.server,
		job: () => {
			const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
			return { id, readPath: `/scrapers/jobs/${id}` };
		},
		get: (id, extra) => hd.options({ operation: 'get', jobId: id }, extra),
		wait: (id, extra) => hd.options({ operation: 'waitForCompletion', jobId: id, ...extra }),
		notFound: (id) => `HasData API error 404: Job not found — no job with ID "${id}"`,
	},
	{
		provider: 'Platform Jobs',
		server: () => platform.emulator.server,
		job: () => {
			const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
			return { id, readPath: `/jobs/${id}` };
		},
		get: (id, extra) => platform.options({ operation: 'get', jobId: id }, extra),
		wait: (id, extra) => platform.options({ operation: 'waitForCompletion', jobId: id, ...extra }),
		notFound: (id) => `Platform Jobs API error 404: Job not found — no job with ID "${id}"`,
	},
];

describe.each(cases)('$provider: a 200 that is not JSON', (c) => {
	it('is an error naming the provider, request, status, content type and first characters — never a job, never HTML', async () => {
		const { id, readPath } = c.job();
		c.server().inject({ status: 200, count: 100, method: 'GET', pathPrefix: readPath, raw: LOGIN_PAGE, headers: { 'content-type': 'text/html; charset=utf-8' } });
		const error = await runNode(c.get(id)).catch((e) => e);
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toMatch(
			new RegExp(`^${c.provider} answered GET \\S*${id} with HTTP 200 but the body is not JSON \\(content type: text/html; charset=utf-8\\): "Sign in - Corporate Proxy Please sign in`),
		);
		expect(`${error.message} ${error.description}`).not.toMatch(/<|>/);
		expect(error.description).toMatch(/proxy, firewall, or login page.*Check the Base URL/);
		// A read: retried like any transient failure, then given up.
		expect(c.server().count('GET', readPath)).toBeGreaterThanOrEqual(retryPolicy.maxRetries + 1);
	});

	it('a body cut short (truncated JSON) is the same clear error', async () => {
		const { id, readPath } = c.job();
		c.server().inject({ status: 200, count: 100, method: 'GET', pathPrefix: readPath, raw: `{"id": "${id}", "status": "comp`, headers: { 'content-type': 'application/json' } });
		const error = await runNode(c.get(id)).catch((e) => e);
		expect(error.message).toMatch(/with HTTP 200 but the body is not JSON \(content type: application\/json\): "\{"id"/);
	});

	it('inside a wait, a few such answers are missed polls: the wait goes on and ends with the job', async () => {
		const { id, readPath } = c.job();
		c.server().inject({ status: 200, count: retryPolicy.maxRetries + 2, method: 'GET', pathPrefix: readPath, raw: LOGIN_PAGE, headers: { 'content-type': 'text/html' } });
		const [item] = await runNode(c.wait(id, { pollInterval: 0.2, timeout: 20 }));
		expect(item.json).toMatchObject({ id, done: true, timedOut: false });
		expect(item.json.status).not.toBe('unknown');
	});

	it('inside a wait that never gets JSON, the item fails with that error — not "did not finish" and not a job state', async () => {
		const { id, readPath } = c.job();
		c.server().inject({ status: 200, count: 1000, method: 'GET', pathPrefix: readPath, raw: LOGIN_PAGE, headers: { 'content-type': 'text/html' } });
		const error = await runNode(c.wait(id, { pollInterval: 0.2, timeout: 1 })).catch((e) => e);
		expect(error.message).toMatch(new RegExp(`^${c.provider} answered GET \\S*${id} with HTTP 200 but the body is not JSON`));
	});

	it('a 404 names the ID that was not found', async () => {
		const error = await runNode(c.get('no-such-id-42')).catch((e) => e);
		expect(error.message).toBe(c.notFound('no-such-id-42'));
		expect(error.description).toMatch(/no \w+ with the ID "no-such-id-42"/);
	});
});

describe('404s of other requests name their ID too', () => {
	it('Lobstr results of an unknown run or squid, a start on an unknown squid; HasData results and stop of an unknown job; an unknown scraper', async () => {
		const messages = await Promise.all([
			runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'run', runId: 'gone-run' })).catch((e) => e.message),
			runNode(lobstr.options({ resource: 'result', operation: 'getResults', source: 'squid', squid: { __rl: true, mode: 'id', value: 'gone-squid' } })).catch((e) => e.message),
			runNode(lobstr.options({ resource: 'run', operation: 'start', squid: { __rl: true, mode: 'id', value: 'gone-squid' } })).catch((e) => e.message),
		]);
		expect(messages).toEqual([
			'Lobstr API error 404: Run not found. — no run with ID "gone-run"',
			'Lobstr API error 404: Squid not found — no squid with ID "gone-squid"',
			'Lobstr API error 404: Squid not found — no squid with ID "gone-squid"',
		]);
		const hasData = [
			await runNode(hd.options({ operation: 'getResults', jobId: '999999' })).catch((e) => e.message),
			await runNode(hd.options({ operation: 'stop', jobId: '999999' })).catch((e) => e.message),
			await runNode(hd.options({ operation: 'start', scraper: 'custom', customSlug: 'no-such-scraper', input: '{}' })).catch((e) => e.message),
		];
		expect(hasData).toEqual([
			'HasData API error 404: Job not found — no job with ID "999999"',
			'HasData API error 404: Job not found — no job with ID "999999"',
			'HasData API error 404: Scraper "no-such-scraper" not found — no scraper with ID "no-such-scraper"',
		]);
	});
});

describe('a start answered with a page that is not JSON', () => {
	it('is sent once, and the error says the job may have started', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		platform.emulator.server.inject({ status: 200, count: 5, method: 'POST', pathPrefix: `/jobs/${id}/rerun`, raw: LOGIN_PAGE, headers: { 'content-type': 'text/html' } });
		const error = await runNode(platform.options({ operation: 'rerun', jobId: id })).catch((e) => e);
		expect(platform.emulator.server.count('POST', `/jobs/${id}/rerun`)).toBe(1);
		expect(error.message).toMatch(new RegExp(`^Platform Jobs answered POST /jobs/${id}/rerun with HTTP 200 but the body is not JSON`));
		expect(error.description).toMatch(/may have reached the API all the same: check the provider .* not retried/);
	});
});

describe('rate-limit memory is per credential', () => {
	it('one key told "X-RateLimit-Remaining: 0" does not hold back another key on the same host', async () => {
		// Account A may send 1 request a minute; account B is untouched.
		const a = platform.emulator.addKey('account-a-key', 1, 60_000);
		platform.emulator.addKey('account-b-key', 1000, 60_000);
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const credentials = (apiKey: string) => ({ platformJobsApi: { baseUrl: platform.emulator.baseUrl, apiKey } });
		const [first] = await runNode(platform.options({ operation: 'get', jobId: id }, { credentials: credentials('account-a-key') }));
		expect(first.json.status).toBe('succeeded');
		expect(a.rejected).toBe(0);

		const started = Date.now();
		const [other] = await runNode(platform.options({ operation: 'get', jobId: id }, { credentials: credentials('account-b-key') }));
		const tookMs = Date.now() - started;
		console.log(`Account B's read after account A's bucket emptied: ${tookMs} ms`);
		expect(other.json.status).toBe('succeeded');
		expect(tookMs).toBeLessThan(2_000);
	});
});
