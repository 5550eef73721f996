import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { HasDataWebhookTrigger } from '../../nodes/HasData/HasDataWebhookTrigger.node';
import { retryPolicy } from '../../nodes/shared/transport';
import { pollContext, runNode } from '../helpers/n8nContext';
import { startHasData } from '../helpers/hasData';
import { startWebhookReceiver, webhookContext } from '../helpers/hasDataWebhook';

let hd: Awaited<ReturnType<typeof startHasData>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	hd = await startHasData();
});
afterAll(() => hd.emulator.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await sleep(20);
	}
}

async function poll(ctx: IPollFunctions) {
	return hd.triggerOptions({}).node.poll!.call(ctx);
}

describe('HasData Trigger (polling)', () => {
	it('fires once per watched job when it finishes, honouring the outcome filter', async () => {
		const quick = hd.emulator.createJob({ queuedMs: 0, runMs: 300, rows: 4 });
		const slow = hd.emulator.createJob({ queuedMs: 100, runMs: 900, rows: 9 });
		const failing = hd.emulator.createJob({ queuedMs: 0, runMs: 200, outcome: 'failed' });
		const staticData: IDataObject = {};
		const ctx = pollContext(hd.triggerOptions({ jobIds: `${quick}, ${slow}\n${failing}\n${quick}`, outcome: 'succeeded' }, { staticData }));
		const fired: IDataObject[] = [];
		let polls = 0;
		const before = hd.emulator.server.count('GET');
		const started = Date.now();
		while (Date.now() - started < 2000) {
			polls++;
			const out = await poll(ctx);
			if (out) fired.push(...out[0].map((i) => i.json));
			await sleep(100);
		}
		console.log(`HasData polling trigger: ${polls} polls over 3 jobs, ${hd.emulator.server.count('GET') - before} GETs, fired ${fired.map((j) => j.id).join(', ')}`);
		expect(fired.map((j) => j.id).sort()).toEqual([quick, slow].sort());
		expect(fired.every((j) => j.status === 'succeeded' && j.provider === 'hasData')).toBe(true);
		expect(fired.find((j) => j.id === slow)).toMatchObject({ resultCount: 9, creditsSpent: 90 });
		expect((staticData.firedJobs as string[]).sort()).toEqual([quick, slow, failing].sort());
		// Finished jobs are not read again.
		const afterAll = hd.emulator.server.count('GET');
		expect(await poll(ctx)).toBeNull();
		expect(hd.emulator.server.count('GET')).toBe(afterAll);
	});

	it('in a manual test, shows the first job as it is now and remembers nothing', async () => {
		const id = hd.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const staticData: IDataObject = {};
		const out = await poll(pollContext(hd.triggerOptions({ jobIds: id, outcome: 'any' }, { staticData, mode: 'manual' })));
		expect(out![0][0].json).toMatchObject({ id, status: 'running' });
		expect(staticData).toEqual({});
	});

	it('names the empty Job IDs parameter', async () => {
		await expect(poll(pollContext(hd.triggerOptions({ jobIds: ' ,\n ' })))).rejects.toThrow('The parameter "Job IDs" is empty');
	});
});

describe('HasData Webhook Trigger', () => {
	it('a webhook-started workflow: HasData\'s scraper.job.finished call, sent twice, starts it exactly once', async () => {
		const staticData: IDataObject = {};
		const receiver = await startWebhookReceiver(hd.webhookTriggerOptions({ fetchJob: true, outcome: 'any' }, { staticData }));
		try {
			hd.emulator.nextPlans.push({ queuedMs: 100, runMs: 300, rows: 12 });
			const started = Date.now();
			const [job] = await runNode(
				hd.options({
					operation: 'start',
					scraper: 'google-serp',
					input: '{"q": "n8n community nodes"}',
					webhookOptions: { webhookUrl: receiver.url, webhookEvents: ['scraper.job.started', 'scraper.job.finished', 'scraper.data.scraped'] },
				}),
			);
			const id = job.json.id as string;
			const finishedCalls = () => receiver.calls.filter((c) => c.body.event === 'scraper.job.finished');
			await until('both finished calls', () => finishedCalls().length >= 2);
			await sleep(100);
			const pollGets = hd.emulator.server.count('GET', `/scrapers/jobs/${id}`);
			console.log(
				`HasData webhook trigger: ${receiver.calls.length} webhook calls received (${receiver.calls.map((c) => c.body.event).join(', ')}), ` +
					`${receiver.executions.length} execution started after ${Date.now() - started} ms, ${pollGets} GET of the job (the Fetch Job read)`,
			);
			expect(receiver.calls.map((c) => c.body.event)).toEqual(['scraper.job.started', 'scraper.data.scraped', 'scraper.job.finished', 'scraper.job.finished']);
			expect(receiver.calls.every((c) => c.status === 200)).toBe(true);
			expect(receiver.executions).toHaveLength(1);
			const [item] = receiver.executions[0];
			expect(item.json).toMatchObject({ id, provider: 'hasData', status: 'succeeded', resultCount: 12, creditsSpent: 120, event: 'scraper.job.finished' });
			expect((item.json.webhook as IDataObject).jobStatus).toBe('finished');
			expect(finishedCalls()[1].response?.webhookResponse).toMatchObject({ duplicate: true, jobId: id });
			expect(receiver.calls[0].response?.webhookResponse).toMatchObject({ received: true });
			expect(pollGets).toBe(1);
			// The execution it starts can go straight on to the rows.
			const rows = await runNode(hd.options({ operation: 'getResults', jobId: item.json.id, returnAll: true }));
			expect(rows).toHaveLength(12);
		} finally {
			await receiver.stop();
		}
	});

	it('without Fetch Job, outputs the call itself; the outcome filter uses jobStatus (a stopped job is cancelled)', async () => {
		const staticData: IDataObject = {};
		const receiver = await startWebhookReceiver(hd.webhookTriggerOptions({ fetchJob: false, outcome: 'failedOrCancelled' }, { staticData }));
		try {
			hd.emulator.nextPlans.push({ queuedMs: 0, runMs: 100, rows: 3 }, { queuedMs: 0, runMs: 60_000, rows: 100 });
			const webhookOptions = { webhookUrl: receiver.url, webhookEvents: ['scraper.job.finished'] };
			const [done] = await runNode(hd.options({ operation: 'start', scraper: 'crawler', input: '{}', webhookOptions }));
			const [long] = await runNode(hd.options({ operation: 'start', scraper: 'crawler', input: '{}', webhookOptions }));
			await runNode(hd.options({ operation: 'stop', jobId: long.json.id }));
			await until('four finished calls', () => receiver.calls.length >= 4);
			await sleep(100);
			expect(receiver.executions).toHaveLength(1);
			expect(receiver.executions[0][0].json).toMatchObject({ id: long.json.id, status: 'cancelled', providerStatus: 'stopped', done: true, event: 'scraper.job.finished' });
			const ignored = receiver.calls.find((c) => String(c.body.jobId) === done.json.id)!;
			expect(ignored.response?.webhookResponse).toMatchObject({ ignored: 'job ended with status "succeeded"' });
			expect(receiver.calls.filter((c) => String(c.body.jobId) === done.json.id)).toHaveLength(2);
		} finally {
			await receiver.stop();
		}
	});

	it('when the Fetch Job read fails, answers 500 so HasData retries, and the retry fires', async () => {
		const staticData: IDataObject = {};
		const receiver = await startWebhookReceiver(hd.webhookTriggerOptions({ fetchJob: true, outcome: 'any' }, { staticData }));
		hd.emulator.finishedDuplicates = 0;
		try {
			hd.emulator.nextPlans.push({ queuedMs: 0, runMs: 100, rows: 2 });
			const [job] = await runNode(
				hd.options({ operation: 'start', scraper: 'crawler', input: '{}', webhookOptions: { webhookUrl: receiver.url, webhookEvents: ['scraper.job.finished'] } }),
			);
			const id = job.json.id as string;
			hd.emulator.server.inject({ status: 502, count: retryPolicy.maxRetries + 1, method: 'GET', pathPrefix: `/scrapers/jobs/${id}` });
			await until('an execution', () => receiver.executions.length > 0);
			await sleep(150);
			expect(receiver.calls.map((c) => c.status)).toEqual([500, 200]);
			expect(receiver.executions).toHaveLength(1);
			expect(receiver.executions[0][0].json).toMatchObject({ id, status: 'succeeded' });
			expect(hd.emulator.webhookDeliveries.filter((d) => d.jobId === id).map((d) => [d.attempt, d.status])).toEqual([[1, 500], [2, 200]]);
		} finally {
			hd.emulator.finishedDuplicates = 1;
			await receiver.stop();
		}
	});

	it('acknowledges calls it does not act on, and in a manual test fires every time', async () => {
		const node = new HasDataWebhookTrigger();
		const options = hd.webhookTriggerOptions({ fetchJob: false, outcome: 'any' }, { mode: 'manual' });
		const other = await node.webhook!.call(webhookContext(options, { event: 'scraper.job.started', jobId: 'x', jobStatus: 'in_progress' }));
		expect(other).toEqual({ webhookResponse: { received: true, ignored: 'event "scraper.job.started" does not start this workflow' } });
		const noId = await node.webhook!.call(webhookContext(options, { event: 'scraper.job.finished' }));
		expect(noId.workflowData).toBeUndefined();
		const body = { event: 'scraper.job.finished', jobId: 42, jobStatus: 'finished', timestamp: '2025-05-02T17:26:28.603+03:00' };
		for (let n = 0; n < 2; n++) {
			const fired = await node.webhook!.call(webhookContext(options, body));
			expect(fired.workflowData![0][0].json).toMatchObject({ id: '42', status: 'succeeded', done: true });
		}
	});

	it('describes itself as a POST webhook node on the path "hasdata", with the credential only for Fetch Job', () => {
		const description = new HasDataWebhookTrigger().description;
		expect(description.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'hasdata' }]);
		expect(description.credentials).toEqual([{ name: 'hasDataApi', required: true, testedBy: 'hasDataApiTest', displayOptions: { show: { fetchJob: [true] } } }]);
		expect(description.usableAsTool).toBeUndefined();
	});
});
