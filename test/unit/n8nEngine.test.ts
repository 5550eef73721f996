/**
 * What only n8n's engine decides, checked in n8n-core 2.41.1 itself (the same
 * engine as the e2e suite's n8n): how many outputs a node has and where its
 * items go, pairedItem lineage across outputs, what "Continue On Fail" turns an
 * error into, when a trigger's static data is saved, what parking sets, and how
 * the Stop button reaches a waiting node. Over real HTTP to the emulators.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { WebhookContext, WorkflowExecute } from 'n8n-core';
import type { IDataObject, IRun, IRunExecutionData, IWebhookData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { HasData } from '../../nodes/HasData/HasData.node';
import { PlatformJobsTrigger } from '../../nodes/PlatformJobs/PlatformJobsTrigger.node';
import { retryPolicy } from '../../nodes/shared/transport';
import { startHasData } from '../helpers/hasData';
import { additionalDataFor, buildWorkflow, outputsOf, responseObject, runPoll, runWorkflow } from '../helpers/n8nContext';
import type { ContextOptions } from '../helpers/n8nContext';
import { startPlatform } from '../helpers/platform';

let platform: Awaited<ReturnType<typeof startPlatform>>;
let hd: Awaited<ReturnType<typeof startHasData>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 5;
	retryPolicy.maxRetries = 2;
	platform = await startPlatform();
	hd = await startHasData();
});
afterAll(async () => {
	await platform.emulator.stop();
	await hd.emulator.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const origin = "={{ $('Manual Trigger').item.json.tag }}";

describe('n8n engine: outputs and paired items', () => {
	it('"Check Status and Route" has two outputs in n8n, each item reaches the node wired to its output, and pairedItem leads back to its input', async () => {
		const done = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const { run, node } = await runWorkflow(
			platform.options(
				{ operation: 'checkAndRoute' },
				{
					items: [{ id: running, tag: 'a' }, { id: done, tag: 'b' }, { id: running, tag: 'c' }],
					downstream: { 'On Finished': { output: 0, value: origin }, 'On Still Running': { output: 1, value: origin } },
				},
			),
		);
		expect(run.status).toBe('success');
		// The node's own outputs, as n8n recorded them (the Job ID came from the default "{{ $json.id }}").
		const [finished, stillRunning] = outputsOf(run, node.name)!;
		expect(finished.map((i) => [i.json.id, i.pairedItem])).toEqual([[done, { item: 1 }]]);
		expect(stillRunning.map((i) => [i.json.id, i.pairedItem])).toEqual([[running, { item: 0 }], [running, { item: 2 }]]);
		// n8n followed each item's pairedItem back to the trigger item it came from.
		expect(outputsOf(run, 'On Finished')![0].map((i) => i.json.value)).toEqual(['b']);
		expect(outputsOf(run, 'On Still Running')![0].map((i) => i.json.value)).toEqual(['a', 'c']);
	});

	it('an item of any other operation links back to its input through the engine too', async () => {
		const ids = [platform.emulator.createJob({ queuedMs: 0, runMs: 0 }), platform.emulator.createJob({ queuedMs: 0, runMs: 0 })];
		const { run } = await runWorkflow(
			platform.options({ operation: 'get', jobId: '={{ $json.id }}' }, { items: [{ id: ids[1], tag: 'second' }, { id: ids[0], tag: 'first' }], downstream: { Next: { output: 0, value: origin } } }),
		);
		expect(outputsOf(run, 'Next')![0].map((i) => [i.json.id, i.json.value])).toEqual([[ids[1], 'second'], [ids[0], 'first']]);
	});
});

describe('n8n engine: errors', () => {
	it('with "On Error: Continue", a failed item becomes an error item on the output and the workflow goes on', async () => {
		const done = platform.emulator.createJob({ queuedMs: 0, runMs: 0 });
		const { run, node } = await runWorkflow(
			platform.options(
				{ operation: 'get', jobId: '={{ $json.id }}' },
				{ items: [{ id: 'job_gone', tag: 'x' }, { id: done, tag: 'y' }], continueOnFail: true, downstream: { Next: { output: 0, value: origin } } },
			),
		);
		expect(run.status).toBe('success');
		expect(run.data.resultData.error).toBeUndefined();
		const [items] = outputsOf(run, node.name)!;
		expect(items[0].json.error).toMatch(/404/);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[1].json.id).toBe(done);
		expect(outputsOf(run, 'Next')![0].map((i) => i.json.value)).toEqual(['x', 'y']);
	});

	it('without it, the execution fails at the node with its error, and nothing after it runs', async () => {
		const { run, node } = await runWorkflow(
			platform.options({ operation: 'get', jobId: 'job_gone' }, { downstream: { Next: { output: 0, value: 'never' } } }),
		);
		expect(run.status).toBe('error');
		expect(run.data.resultData.lastNodeExecuted).toBe(node.name);
		expect(run.data.resultData.error?.message).toMatch(/404/);
		expect(run.data.resultData.error?.description).toMatch(/check the ID/);
		expect(run.data.resultData.runData.Next).toBeUndefined();
	});
});

describe('n8n engine: the Stop button', () => {
	it('cancelling the execution stops a waiting node within a second, and n8n records it as cancelled', async () => {
		const id = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 800);
		const started = Date.now();
		const { run, saved, node } = await runWorkflow(
			platform.options({ operation: 'waitForCompletion', jobId: id, pollInterval: 5, timeout: 300 }, { signal: controller.signal }),
		);
		// The node saw n8n-core's own cancel signal: the execution ended well before the next poll.
		expect(Date.now() - started).toBeLessThan(800 + 1000);
		expect(run.data.resultData.runData[node.name][0].error?.message).toBe('Stopped waiting: the execution was cancelled');
		// What n8n saves (its "workflowExecuteAfter" at the moment of the cancel) says cancelled.
		expect(saved?.status).toBe('canceled');
	});
});

describe('n8n engine: trigger static data', () => {
	const trigger = (parameters: Record<string, unknown>, saved: IDataObject) => ({
		...platform.triggerOptions(parameters),
		saved,
	});

	it('n8n saves a polling trigger\'s static data only when it saw a change, and what it saved stops a re-fire after a restart', async () => {
		const quick = platform.emulator.createJob({ queuedMs: 0, runMs: 500 });
		const slow = platform.emulator.createJob({ queuedMs: 0, runMs: 2500 });
		const saved: IDataObject = {};
		const params = { jobIds: `${quick}, ${slow}`, outcome: 'any' };
		const fired: string[] = [];
		const poll = async () => {
			const { output, changed } = await runPoll(trigger(params, saved));
			output?.[0].forEach((i) => fired.push(i.json.id as string));
			return changed;
		};
		await poll(); // both running
		await sleep(800);
		expect(await poll()).toBe(true); // quick fired: n8n saves
		expect(fired).toEqual([quick]);
		expect(await poll()).toBe(false); // nothing new: nothing to save
		await sleep(1900);
		expect(await poll()).toBe(true);
		expect(fired).toEqual([quick, slow]);
		// Each poll started from what n8n had saved, as after a restart: nothing fires twice.
		await poll();
		expect(fired).toEqual([quick, slow]);
	});

	it('"Fetch Test Event" runs the poll in n8n\'s manual mode: a sample, and no static data to save', async () => {
		const running = platform.emulator.createJob({ queuedMs: 0, runMs: 60_000 });
		const staticData: IDataObject = {};
		const { run, node } = await runWorkflow({ ...platform.triggerOptions({ jobIds: running, outcome: 'any' }), mode: 'manual', staticData });
		expect(run.status).toBe('success');
		expect(outputsOf(run, node.name)![0][0].json).toMatchObject({ id: running, status: 'running' });
		expect(staticData).toEqual({});
		expect(new PlatformJobsTrigger().description.polling).toBe(true);
	});
});

describe('n8n engine: parking an execution (HasData "Until HasData Calls Back")', () => {
	/** Plays n8n's /webhook-waiting endpoint: a call runs the parked node's webhook() on the saved execution. */
	async function waitingWebhooks(onCall: (executionId: string, body: IDataObject, headers: http.IncomingHttpHeaders, url: URL) => Promise<{ status: number; body: unknown }>) {
		const server = http.createServer(async (req, res) => {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const url = new URL(req.url!, 'http://x');
			const answer = await onCall(url.pathname.split('/').pop()!, JSON.parse(Buffer.concat(chunks).toString() || '{}'), req.headers, url);
			res.writeHead(answer.status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(answer.body));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook-waiting`, stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
	}

	const start = (extra: Partial<ContextOptions>) =>
		hd.options(
			{ operation: 'start', scraper: 'crawler', input: '{"urls": ["https://example.com"], "limit": 5}', waitForCompletion: true, waitMethod: 'callback', callbackTimeout: 2 },
			{ items: [{ tag: 'first' }], downstream: { Next: { output: 0, value: origin } }, ...extra },
		);

	/** What n8n's database keeps of a parked execution, read back. */
	const saved = (run: IRun) => JSON.parse(JSON.stringify(run.data)) as IRunExecutionData;

	it('parks with waitTill = now + the callback timeout, holding the started job; a time resume passes the job on marked timedOut', async () => {
		hd.emulator.nextPlans.push({ queuedMs: 0, runMs: 60_000, rows: 5 });
		const options = start({});
		const before = Date.now();
		const { run, workflow, node, executionId } = await runWorkflow(options);
		expect(run.status).toBe('waiting');
		expect(run.waitTill!.getTime()).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
		expect(run.waitTill!.getTime()).toBeLessThan(Date.now() + 2 * 3_600_000 + 1000);
		expect(run.data.resultData.runData.Next).toBeUndefined();
		const [parked] = outputsOf(run, node.name)![0];
		const job = hd.emulator.jobs.get(parked.json.id as string)!;
		// $execution.resumeUrl: n8n's waiting-webhook address of this execution, with its resume token.
		expect(String((job.input.webhook as IDataObject).url)).toBe(`http://127.0.0.1:5679/webhook-waiting/${executionId}?signature=${run.data.resumeToken}`);

		// n8n's wait tracker resumes it when waitTill passes: the parked node does not run again.
		const data = saved(run);
		const resumed = await new WorkflowExecute(additionalDataFor(options, 'manual', workflow), 'manual', data).processRunExecutionData(workflow);
		expect(resumed.status).toBe('success');
		const [next] = outputsOf(resumed, 'Next')![0];
		expect(next.json).toMatchObject({ id: parked.json.id, timedOut: true, value: 'first' });
	});

	it('HasData\'s callback to the resume URL resumes the execution with the job read again', async () => {
		hd.emulator.nextPlans.push({ queuedMs: 0, runMs: 400, rows: 5 });
		let parkedRun: IRun | undefined;
		let resumedRun: IRun | undefined;
		let context: { options: ContextOptions } | undefined;
		const calls: Array<{ status: number; response?: IWebhookResponseData }> = [];
		let signature: string | null = null;
		const n8n = await waitingWebhooks(async (_executionId, body, headers, url) => {
			while (!parkedRun) await sleep(10);
			signature = url.searchParams.get('signature');
			const { options } = context!;
			const { workflow, node } = buildWorkflow(options);
			const data = saved(parkedRun);
			const additionalData = additionalDataFor(options, 'webhook', workflow);
			const response = responseObject();
			Object.assign(additionalData, { httpRequest: { body, headers, query: {}, params: {} }, httpResponse: response });
			const webhookData = { httpMethod: 'POST', path: '', node: node.name, workflowId: workflow.id, webhookDescription: new HasData().description.webhooks![0] } as unknown as IWebhookData;
			const ctx = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], data) as unknown as IWebhookFunctions;
			const result = await new HasData().webhook!.call(ctx);
			calls.push({ status: response.recorded.status, response: result });
			if (result.noWebhookResponse) return { status: response.recorded.status, body: response.recorded.body };
			if (result.workflowData) {
				// As n8n's waiting-webhooks handler does: the webhook's items become the parked node's output.
				data.executionData!.nodeExecutionStack[0].data.main = result.workflowData;
				resumedRun = await new WorkflowExecute(additionalDataFor(options, 'webhook', workflow), 'webhook', data).processRunExecutionData(workflow);
			}
			return { status: 200, body: result.webhookResponse ?? {} };
		});
		try {
			context = { options: start({ webhookWaitingBaseUrl: n8n.baseUrl }) };
			parkedRun = (await runWorkflow(context.options)).run;
			expect(parkedRun.status).toBe('waiting');
			const deadline = Date.now() + 10_000;
			while (!resumedRun && Date.now() < deadline) await sleep(50);
			expect(calls.map((c) => c.status)).toEqual([200]);
			expect(signature).toBe(parkedRun.data.resumeToken);
			expect(resumedRun?.status).toBe('success');
			const [next] = outputsOf(resumedRun!, 'Next')![0];
			expect(next.json).toMatchObject({ status: 'succeeded', done: true, timedOut: false, value: 'first' });
		} finally {
			await n8n.stop();
		}
	});
});
