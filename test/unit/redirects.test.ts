/**
 * Redirects on requests that carry the API key (nodes/shared/redirects.ts, used by
 * the transport): n8n itself would carry an `x-api-key` header on to another host,
 * so the transport follows redirects only within the Base URL's origin.
 */
import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import type { SentRequest } from '../helpers/n8nContext';
import { startHasData } from '../helpers/hasData';
import { startHirebase } from '../helpers/hirebase';
import { OtherHost } from '../emulators/otherHost';

let hd: Awaited<ReturnType<typeof startHasData>>;
let hb: Awaited<ReturnType<typeof startHirebase>>;
const elsewhere = new OtherHost();

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	hd = await startHasData();
	hb = await startHirebase();
	await elsewhere.start();
});
afterAll(async () => {
	await Promise.all([hd.emulator.stop(), hb.emulator.stop(), elsewhere.stop()]);
});

describe('a redirect from the API', () => {
	it('to another host is not followed: the node fails saying so, and the x-api-key never reaches that host (HasData, Hirebase)', async () => {
		for (const [name, started, params] of [
			['HasData', hd, { operation: 'get', jobId: '42' }],
			['Hirebase', hb, { operation: 'get', taskId: '8107c787-16b9-4763-af74-e2c789a5169e' }],
		] as const) {
			const redirector = new OtherHost({ to: elsewhere.baseUrl, status: 307 });
			await redirector.start();
			try {
				const options = started.options(params);
				const credentialName = Object.keys(options.credentials)[0];
				options.credentials = { [credentialName]: { baseUrl: redirector.baseUrl, apiKey: started.emulator.apiKey } };
				const error = await runNode(options).catch((e) => e);
				expect(error.message).toMatch(new RegExp(`^The ${name} API answered GET .* with a redirect to ${elsewhere.baseUrl.replace('http://', '')} \\(HTTP 307\\), which was not followed`));
				expect(error.description).toMatch(/only ever sent to the credential's Base URL/);
				expect(redirector.requests).toHaveLength(1); // a redirect is not retried
				expect(elsewhere.requestsCarrying(started.emulator.apiKey)).toEqual([]);
			} finally {
				await redirector.stop();
			}
		}
	});

	it('within the Base URL\'s own host is followed, with the key', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 3 });
		hd.emulator.server.route('GET', '/moved/scrapers/jobs/:id', (req) => ({ status: 301, headers: { location: `/scrapers/jobs/${req.params.id}` } }));
		const sent: SentRequest[] = [];
		const options = hd.options({ operation: 'get', jobId: id }, { sent });
		options.credentials = { hasDataApi: { baseUrl: hd.emulator.baseUrl + '/moved', apiKey: hd.emulator.apiKey } };
		const [item] = await runNode(options);
		expect(item.json).toMatchObject({ id: String(id), status: 'succeeded' });
		expect(sent.map((s) => new URL(s.url).pathname)).toEqual([`/moved/scrapers/jobs/${id}`, `/scrapers/jobs/${id}`]);
		expect(sent.every((s) => s.headers['x-api-key'] === hd.emulator.apiKey)).toBe(true);
	});
});
