/**
 * Executions that park in n8n's database while a job runs (issue 9), proven in a
 * real n8n:
 *  - every provider's durable-loop example (Check Status and Route → Wait 70 s →
 *    back) is parked when n8n is stopped and started again, then resumes and
 *    ends with its rows and XLSX; the provider sees no read while it is parked;
 *  - the HasData callback wait: the job is started with this execution's resume
 *    URL; nothing reads the job until a call comes; a forged call (no token) and
 *    a call while the job still runs do not resume it; it survives an n8n
 *    restart; HasData's own callback at the end resumes it.
 */
import { log, secs, sleep } from '../../scripts/lib/log';
import type { N8n } from '../../scripts/lib/n8n';
import type { ExampleWorkflow, RunningEmulator } from '../../scripts/providers';
import { allExamples, nodeBinaries, nodeItems } from '../../scripts/lib/stack';
import type { StartedProvider } from '../../scripts/lib/stack';
import { assert, assertXlsx, execution, test, waitFor } from './lib';

const MANUAL_TRIGGER = "When clicking 'Execute workflow'";
const WAIT_NODE = 'Wait Before Checking Again';

interface Ctx {
	n: N8n;
	installDir: string;
	started: StartedProvider[];
}

/** Starts a saved workflow from its manual trigger through n8n's REST API; returns the execution id. */
async function runManually(n: N8n, workflowId: string): Promise<string> {
	const data = await n.rest('POST', `/workflows/${workflowId}/run`, { triggerToStartFrom: { name: MANUAL_TRIGGER } });
	const id = data?.executionId ?? data?.data?.executionId;
	assert(id, `n8n did not start workflow ${workflowId}: ${JSON.stringify(data)}`);
	return String(id);
}

async function statusOf(n: N8n, installDir: string, id: string): Promise<string> {
	return (await execution(n, installDir, id)).status;
}

function emulatorOf(ctx: Ctx, example: ExampleWorkflow): RunningEmulator {
	const found = ctx.started.find((s) => s.entry.examples.includes(example));
	assert(found, `no emulator for ${example.title}`);
	return found.emulator;
}

/** Checks a finished parked execution: job, rows, XLSX. Returns its decoded run data. */
async function assertFinished(ctx: Ctx, example: ExampleWorkflow, executionId: string): Promise<any> {
	const { status, data } = await execution(ctx.n, ctx.installDir, executionId);
	assert(status === 'success', `${example.title}: execution ${executionId} ended "${status}"`);
	const jobs = nodeItems(data, example.jobNode!);
	const job = jobs[jobs.length - 1];
	assert(job?.status === 'succeeded' && job.done === true, `${example.title}: job output ${JSON.stringify(job)}`);
	const rows = nodeItems(data, example.rowsNode!);
	assert(rows.length === example.expectRows, `${example.title}: expected ${example.expectRows} rows, got ${rows.length}`);
	for (const key of example.rowKeys ?? []) assert(rows.every((r) => key in r), `${example.title}: a row lacks "${key}"`);
	assertXlsx(ctx.n, nodeBinaries(data, example.fileNode!), `${example.fileNode} (${example.title})`);
	return data;
}

export async function parkedCases(ctx: Ctx): Promise<void> {
	const { n, installDir } = ctx;
	if (!n.running) await n.start();
	const parked = allExamples().filter(({ example }) => example.kind === 'parked');
	const loops = parked.filter(({ example }) => example.jobNode === 'Check Status and Route');
	const callback = parked.find(({ example }) => example.id === 'asyncJobsHasDCb1');

	await test(`durable loops (${loops.length} providers): parked through an n8n restart, then rows and XLSX; no reads while parked`, async () => {
		const runs: Array<{ example: ExampleWorkflow; id: string }> = [];
		for (const { example } of loops) runs.push({ example, id: await runManually(n, example.id) });
		await waitFor('every loop to park in the Wait node', 60_000, async () => {
			const statuses = await Promise.all(runs.map((r) => statusOf(n, installDir, r.id)));
			return statuses.every((s) => s === 'waiting') ? true : undefined;
		}, 1000);
		log('e2e', `  ${runs.length} executions parked; restarting n8n while they wait`);
		await n.stop();
		await sleep(2000);
		await n.start();
		await waitFor('every loop to resume and finish', 180_000, async () => {
			const statuses = await Promise.all(runs.map((r) => statusOf(n, installDir, r.id)));
			if (statuses.some((s) => s === 'error' || s === 'crashed' || s === 'canceled')) throw new Error(`statuses: ${statuses.join(', ')}`);
			return statuses.every((s) => s === 'success') ? true : undefined;
		});
		for (const run of runs) {
			const data = await assertFinished(ctx, run.example, run.id);
			const checks = nodeItems(data, 'Check Status and Route');
			const last = checks[checks.length - 1];
			assert(data.resultData.runData[WAIT_NODE]?.length >= 1, `${run.example.title}: the Wait node never ran`);
			assert(last.polls >= 2 && last.waitedSeconds >= 65, `${run.example.title}: did not go round the loop: ${JSON.stringify({ polls: last.polls, waited: last.waitedSeconds })}`);
			// While parked (from the end of the first check until 65 s later) the provider saw nothing.
			// (The Wait node's own run data is replaced when it resumes, so the first check dates the park.)
			const firstCheck = data.resultData.runData['Check Status and Route'][0];
			const parkedAt = Number(firstCheck.startTime) + Number(firstCheck.executionTime ?? 0);
			const reads = emulatorOf(ctx, run.example).requestLog().filter((r) => r.at > parkedAt + 1000 && r.at < parkedAt + 65_000);
			assert(reads.length === 0, `${run.example.title}: ${reads.length} request(s) while parked: ${reads.map((r) => `${r.method} ${r.path}`).join(', ')}`);
			log('e2e', `  ${run.example.title}: ${last.polls} checks over ${last.waitedSeconds}s, 0 requests while parked`);
		}
	});

	if (!callback) return;
	await test("HasData callback wait: parked with no reads, forged and early calls refused, survives a restart, resumed by HasData's call", async () => {
		const { example } = callback;
		const em = emulatorOf(ctx, example);
		em.setJobDuration!(45_000);
		const started = Date.now();
		const executionId = await runManually(n, example.id);
		await waitFor('the execution to park', 30_000, async () => ((await statusOf(n, installDir, executionId)) === 'waiting' ? true : undefined), 500);
		const parkedRun = await execution(n, installDir, executionId);
		const jobId = String(nodeItems(parkedRun.data, example.jobNode!)[0]?.id ?? '');
		assert(jobId, 'the parked execution shows no started job');
		const webhook = em.webhookOf!(jobId);
		assert(webhook && webhook.url.includes(`/webhook-waiting/${executionId}`), `the job's webhook is not this execution's resume URL: ${JSON.stringify(webhook)}`);
		const jobReads = () => em.requestLog().filter((r) => r.method === 'GET' && r.path.includes(`/scrapers/jobs/${jobId}`));
		assert(jobReads().length === 0, `the job was read ${jobReads().length} time(s) while parked, before any callback`);

		const body = JSON.stringify({ event: 'scraper.job.finished', jobId, jobStatus: 'finished', timestamp: new Date().toISOString() });
		const forged = await fetch(webhook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		assert(forged.status === 401, `a call without the token answered ${forged.status}: ${await forged.text()}`);
		const early = await fetch(webhook.url, { method: 'POST', headers: { 'content-type': 'application/json', ...webhook.headers }, body });
		const earlyText = await early.text();
		assert(early.status === 200, `a call while the job runs answered ${early.status}: ${earlyText}`);
		assert((await statusOf(n, installDir, executionId)) === 'waiting', 'a call while the job still runs resumed the execution');
		log('e2e', `  forged call → 401; early call → 200 ${earlyText.slice(0, 80)}; still parked`);

		const readsAfterEarlyCall = jobReads().length;
		await n.stop();
		await sleep(2000);
		await n.start();
		await waitFor("HasData's callback to resume the execution", 120_000, async () => {
			const status = await statusOf(n, installDir, executionId);
			if (status === 'error' || status === 'crashed') throw new Error(`execution ended "${status}"`);
			return status === 'success' ? true : undefined;
		}, 1000);
		await assertFinished(ctx, example, executionId);
		const delivered = em.callbacks!().filter((c) => c.jobId === jobId && typeof c.status === 'number');
		assert(delivered.some((c) => c.status === 200), `HasData's callback was not accepted: ${JSON.stringify(delivered)}`);
		// No polling: after the early call, the job was read only when a callback came (at most once per
		// call; calls after the resume are refused by n8n itself as the execution is no longer waiting).
		const readsSince = jobReads().length - readsAfterEarlyCall;
		assert(readsSince >= 1 && readsSince <= delivered.length, `${readsSince} read(s) of the job for ${delivered.length} callback(s) since the early call`);
		log('e2e', `  HasData's calls (status per delivery): ${delivered.map((c) => c.status).join(', ')}; job reads since the early call: ${readsSince}`);
		log('e2e', `  resumed by HasData's callback ${secs(Math.min(...delivered.map((c) => c.at)) - started)} after the start; job reads in all: ${jobReads().length}, each on a call`);
	});
}
