/**
 * The HasData Webhook Trigger starts the workflow exactly once per job, with
 * static data kept the way n8n 2.41 keeps it around webhook calls (see
 * test/helpers/hasDataWebhook.ts), and authenticates HasData's calls with the
 * secret header given at Start. Deliveries go over real HTTP, from the
 * emulator or sent here as HasData sends them.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';

import { retryPolicy } from '../../nodes/shared/transport';
import { runNode } from '../helpers/n8nContext';
import { startHasData } from '../helpers/hasData';
import { startWebhookReceiver } from '../helpers/hasDataWebhook';

let hd: Awaited<ReturnType<typeof startHasData>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	hd = await startHasData();
	hd.emulator.idStyle = 'integer';
});
afterAll(() => hd.emulator.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SECRET = { callbackHeaderName: 'X-HasData-Secret', secretValue: 's3cret-for-tests' };

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await sleep(20);
	}
}

/** A fresh copy of the node module: what a restarted n8n loads (no in-process memory). */
function restartedNode(): INodeType {
	let node: INodeType | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { HasDataWebhookTrigger } = require('../../nodes/HasData/HasDataWebhookTrigger.node');
		node = new HasDataWebhookTrigger();
	});
	return node!;
}

/** POSTs HasData's finished call for a job, with the secret header. */
function deliver(url: string, jobId: string | number, headers: Record<string, string> = { [SECRET.callbackHeaderName]: SECRET.secretValue }) {
	return fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify({ event: 'scraper.job.finished', jobId, jobStatus: 'finished', timestamp: new Date().toISOString() }),
	}).then((r) => r.status);
}

describe('HasData Webhook Trigger: exactly once', () => {
	it('issue 10 item 5: repeated deliveries (200 ms apart, and at the same moment) start one execution, for the 1st job and the 10th, also after a restart', async () => {
		const node = restartedNode();
		const receiver = await startWebhookReceiver(hd.webhookTriggerOptions({ fetchJob: true, outcome: 'any', ...SECRET }, { node, staticData: {} }));
		const jobs = Array.from({ length: 10 }, () => Number(hd.emulator.createJob({ queuedMs: 0, runMs: 0, rows: 2 })));
		try {
			for (const [n, id] of jobs.entries()) {
				if (n === 0 || n === 9) {
					// Spaced out, then simultaneous; ids as numbers and as strings.
					for (const form of [id, String(id), id]) {
						expect(await deliver(receiver.url, form)).toBe(200);
						await sleep(200);
					}
					expect(await Promise.all(Array.from({ length: 5 }, (_, k) => deliver(receiver.url, k % 2 ? String(id) : id)))).toEqual([200, 200, 200, 200, 200]);
				} else {
					await deliver(receiver.url, id);
				}
			}
			await sleep(100);
			expect(receiver.executions.map((items) => items[0].json.id)).toEqual(jobs.map(String));
			expect((receiver.saved().firedJobs as string[]).sort()).toEqual(jobs.map(String).sort());
		} finally {
			await receiver.stop();
		}
		// n8n restarted: a new process with only what n8n saved.
		const again = await startWebhookReceiver(hd.webhookTriggerOptions({ fetchJob: true, outcome: 'any', ...SECRET }, { node: restartedNode(), staticData: receiver.saved() }));
		try {
			await Promise.all([deliver(again.url, jobs[0]), deliver(again.url, String(jobs[9])), deliver(again.url, jobs[9])]);
			expect(again.executions).toEqual([]);
			expect(again.calls.every((c) => (c.response?.webhookResponse as IDataObject)?.duplicate === true)).toBe(true);
		} finally {
			await again.stop();
		}
	});

	it('issue 10 item 2: a call that arrives while the API still says in_progress is answered 503 and remembered nowhere, so HasData\'s retry fires', async () => {
		const receiver = await startWebhookReceiver(hd.webhookTriggerOptions({ fetchJob: true, outcome: 'any', ...SECRET }, { node: restartedNode(), staticData: {} }));
		hd.emulator.finishedCallbackLeadMs = 500;
		hd.emulator.webhookRetryDelayMs = 300;
		hd.emulator.finishedDuplicates = 0;
		try {
			hd.emulator.nextPlans.push({ queuedMs: 0, runMs: 600, rows: 3 });
			const [job] = await runNode(
				hd.options({ operation: 'start', scraper: 'crawler', input: '{}', webhookOptions: { webhookUrl: receiver.url, webhookEvents: ['scraper.job.finished'], ...SECRET } }),
			);
			await until('an execution', () => receiver.executions.length > 0);
			await sleep(400);
			const deliveries = hd.emulator.webhookDeliveries.filter((d) => d.jobId === String(job.json.id)).map((d) => d.status);
			expect(deliveries[0]).toBe(503);
			expect(deliveries[deliveries.length - 1]).toBe(200);
			expect(receiver.executions).toHaveLength(1);
			expect(receiver.executions[0][0].json).toMatchObject({ id: String(job.json.id), status: 'succeeded', resultCount: 3 });
		} finally {
			hd.emulator.finishedCallbackLeadMs = 0;
			hd.emulator.webhookRetryDelayMs = 30;
			hd.emulator.finishedDuplicates = 1;
			await receiver.stop();
		}
	});
});

describe('HasData callbacks authenticated with a secret header (issue 11 item 6)', () => {
	it('Start sends the secret in webhook.headers; the trigger fires for HasData\'s calls and answers 401 to calls without it', async () => {
		const receiver = await startWebhookReceiver(hd.webhookTriggerOptions({ fetchJob: true, outcome: 'any', ...SECRET }, { node: restartedNode(), staticData: {} }));
		try {
			hd.emulator.nextPlans.push({ queuedMs: 0, runMs: 100, rows: 2 });
			const [job] = await runNode(
				hd.options({ operation: 'start', scraper: 'crawler', input: '{}', webhookOptions: { webhookUrl: receiver.url, webhookEvents: ['scraper.job.finished'], ...SECRET } }),
			);
			const id = String(job.json.id);
			expect(hd.emulator.jobs.get(id)!.input.webhook).toMatchObject({ headers: { 'X-HasData-Secret': SECRET.secretValue } });
			await until('an execution', () => receiver.executions.length > 0);
			// A forged call (no header, a wrong one, another header name) for another finished job.
			const other = hd.emulator.createJob({ queuedMs: 0, runMs: 0 });
			expect(await deliver(receiver.url, other, {})).toBe(401);
			expect(await deliver(receiver.url, other, { 'X-HasData-Secret': 'guess' })).toBe(401);
			expect(await deliver(receiver.url, other, { 'X-Other': SECRET.secretValue })).toBe(401);
			expect(await deliver(receiver.url, other, { 'x-hasdata-secret': SECRET.secretValue })).toBe(200);
			await sleep(100);
			expect(receiver.executions.map((e) => e[0].json.id)).toEqual([id, other]);
			// HasData's own calls carried the header (its repeat carried the id as a string).
			const fromHasData = receiver.calls.filter((c) => String(c.body.jobId) === id);
			expect(fromHasData.length).toBe(2);
			expect(fromHasData.map((c) => typeof c.body.jobId)).toEqual(['number', 'string']);
			expect(fromHasData.every((c) => c.headers['x-hasdata-secret'] === SECRET.secretValue)).toBe(true);
		} finally {
			await receiver.stop();
		}
	});

	it('names a bad Secret Header Name on Start', async () => {
		await expect(
			runNode(hd.options({ operation: 'start', scraper: 'crawler', input: '{}', webhookOptions: { webhookUrl: 'https://n8n.example.com/webhook/x/hasdata', callbackHeaderName: 'X Secret', secretValue: 'v' } })),
		).rejects.toThrow('The parameter "Secret Header Name" is not a valid HTTP header name: "X Secret"');
	});
});
