import { providerErrorMessage } from '../../nodes/shared/errors';
import { fractionToPercent, toCanonicalJob, toIsoDate, toPercent } from '../../nodes/shared/job';
import { ExecutionCancelledError, pause } from '../../nodes/shared/pause';
import { waitForSlot } from '../../nodes/shared/rateLimit';
import { collectPages, rowLimit } from '../../nodes/shared/results';
import { matchesOutcome } from '../../nodes/shared/trigger';
import { serverWaitMs, urlPath } from '../../nodes/shared/transport';

describe('error bodies: every shape in providers.md gives the provider message', () => {
	it.each([
		[{ error: { message: 'Task not found', type: 'not_found_error', param: 'task_hash' } }, 'Task not found (task_hash)'],
		[{ detail: 'Invalid API key' }, 'Invalid API key'],
		[{ detail: [{ loc: ['body', 'format'], msg: "value is not a valid enumeration member; permitted: 'json', 'csv'", type: 'type_error.enum' }] }, "format: value is not a valid enumeration member; permitted: 'json', 'csv'"],
		[{ error: 'Squid not found' }, 'Squid not found'],
		[{ errors: { message: 'Run already in progress', type: 'RunInProgress', code: 400 } }, 'Run already in progress'],
		[{ errors: [{ message: 'first problem' }, { message: 'second' }] }, 'first problem'],
		[{ data: null, error: { name: 'NotFound', message: 'Job not found', details: 'No job with id x' } }, 'Job not found (No job with id x)'],
		[{ message: 'Too many concurrent jobs' }, 'Too many concurrent jobs'],
		// Never raw markup in a message: an HTML error page becomes its text.
		['<html>Bad Gateway</html>', 'Bad Gateway'],
		['<html><head><title>502 Bad Gateway</title><style>p{}</style></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>', '502 Bad Gateway nginx'],
	])('%j', (body, expected) => {
		expect(providerErrorMessage(body)).toBe(expected);
	});

	it('gives nothing for an empty body, so the caller falls back to the HTTP status', () => {
		expect(providerErrorMessage(undefined)).toBeUndefined();
		expect(providerErrorMessage('')).toBeUndefined();
		expect(providerErrorMessage({})).toBeUndefined();
	});
});

describe('canonical job fields', () => {
	it('reads zone-less timestamps as UTC and keeps zoned ones', () => {
		expect(toIsoDate('2025-06-13T06:10:07.605000')).toBe('2025-06-13T06:10:07.605Z');
		expect(toIsoDate('2025-05-02T17:26:28.603+03:00')).toBe('2025-05-02T14:26:28.603Z');
		expect(toIsoDate('2025-01-20T10:00:00Z')).toBe('2025-01-20T10:00:00.000Z');
		expect(toIsoDate('not a date')).toBeNull();
		expect(toIsoDate(null)).toBeNull();
	});

	it('puts progress on 0..100 whatever the scale', () => {
		expect(toPercent('42%')).toBe(42);
		expect(toPercent(140)).toBe(100);
		expect(toPercent(undefined)).toBeNull();
		expect(fractionToPercent(0.4567)).toBe(45.67);
		expect(fractionToPercent(1.0)).toBe(100);
	});

	it('an unknown status is not done', () => {
		const job = toCanonicalJob({ id: 7, provider: 'x', status: 'unknown', providerStatus: 'reticulating', raw: {} });
		expect(job).toMatchObject({ id: '7', done: false, providerStatus: 'reticulating', progress: null, error: null });
		expect(Object.keys(job).slice(-1)).toEqual(['raw']);
	});

	it('outcome filters', () => {
		expect(matchesOutcome('succeeded', 'any')).toBe(true);
		expect(matchesOutcome('unknown', 'any')).toBe(false);
		expect(matchesOutcome('cancelled', 'failedOrCancelled')).toBe(true);
		expect(matchesOutcome('succeeded', 'failed')).toBe(false);
	});
});

describe('transport details', () => {
	it('encodes every id put into a path', () => {
		expect(urlPath`/jobs/${'a/b c?'}/rerun`).toBe('/jobs/a%2Fb%20c%3F/rerun');
	});

	it('reads Retry-After as seconds or a date, else X-RateLimit-Reset as epoch or seconds', () => {
		const now = Date.UTC(2026, 0, 1, 0, 0, 0);
		expect(serverWaitMs({ 'retry-after': '3' }, now)).toBe(3000);
		expect(serverWaitMs({ 'retry-after': new Date(now + 5000).toUTCString() }, now)).toBe(5000);
		expect(serverWaitMs({ 'x-ratelimit-reset': String(now / 1000 + 7) }, now)).toBe(7000);
		expect(serverWaitMs({ 'x-ratelimit-reset': '2' }, now)).toBe(2000);
		expect(serverWaitMs({}, now)).toBeUndefined();
	});
});

describe('paging', () => {
	const pages = (total: number) => async (page: number, size: number) => {
		const from = (page - 1) * size;
		const rows = Array.from({ length: Math.max(0, Math.min(size, total - from)) }, (_, i) => ({ n: from + i }));
		return { rows, hasMore: from + size < total };
	};

	it('returns every row, and stops at the limit without fetching further pages', async () => {
		expect(await collectPages(pages(250), { pageSize: 100 })).toHaveLength(250);
		let fetched = 0;
		const limited = await collectPages(async (p, s) => (fetched++, pages(1000)(p, s)), { pageSize: 100, limit: 150 });
		expect(limited.map((r) => r.n)).toEqual(Array.from({ length: 150 }, (_, i) => i));
		expect(fetched).toBe(2);
	});

	it('Return All means no limit', () => {
		expect(rowLimit(true, 5)).toBeUndefined();
		expect(rowLimit(false, 5)).toBe(5);
	});
});

describe('client-side rate limit', () => {
	it('spaces requests to at most N per window', async () => {
		const limit = { bucket: `test-${Math.random()}`, maxRequests: 2, perMs: 400 };
		const times: number[] = [];
		const start = Date.now();
		for (let i = 0; i < 5; i++) {
			const answered = await waitForSlot(limit.bucket, limit);
			answered();
			times.push(Date.now() - start);
		}
		// 5 requests at 2 per 400 ms: the 3rd waits for the 1st to leave the window, the 5th for the 3rd.
		expect(times[4]).toBeGreaterThanOrEqual(800);
		for (let i = 2; i < 5; i++) expect(times[i] - times[i - 2]).toBeGreaterThanOrEqual(399);
	});

	it('a request counts from its answer, and counts while unanswered however long it takes', async () => {
		const limit = { bucket: `test-${Math.random()}`, maxRequests: 2, perMs: 300 };
		const start = Date.now();
		const first = await waitForSlot(limit.bucket, limit);
		const second = await waitForSlot(limit.bucket, limit);
		// Both still in flight 500 ms later, longer than the window: a third must not go.
		setTimeout(first, 500);
		setTimeout(second, 900);
		(await waitForSlot(limit.bucket, limit))();
		const third = Date.now() - start;
		// The first answer came at 500 ms: its place frees 300 ms after that, not 300 ms after the send.
		expect(third).toBeGreaterThanOrEqual(799);
		expect(third).toBeLessThan(1150);
	});

	it('a pause ends at once when the signal fires', async () => {
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 50);
		const start = Date.now();
		await expect(pause(10_000, controller.signal)).rejects.toBeInstanceOf(ExecutionCancelledError);
		expect(Date.now() - start).toBeLessThan(500);
	});
});
