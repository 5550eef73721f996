/**
 * Queue-mode end-to-end suite: the built package in a real n8n 2.41.1 running
 * as teams run it at scale — PostgreSQL, Redis, one main, TWO workers and one
 * webhook process (scripts/lib/queue.ts) — against the provider emulators.
 * Run by `npm test` (after the regular e2e), or alone:
 * `npm run build:scripts && node .scripts-build/test/e2e/queue.js`.
 *
 * Cases (table at the end: case | result | seconds). Every shipped example runs:
 *  1. the "run" examples on the workers (the worker's log names the execution),
 *     with their rows and XLSX (read back from the database: queue mode keeps
 *     binary data there);
 *  2. one published trigger per provider (plus the shipped trigger example)
 *     fires each finished job exactly once with two workers; the main is
 *     restarted mid-way: nothing fires twice, nothing that finished during the
 *     restart is lost;
 *  3. the shipped durable loops (Check Status and Route + Wait) and the HasData
 *     "Until HasData Calls Back" example, parked, resume and finish after the
 *     workers that ran them are killed and the main is restarted; HasData's call
 *     arrives through the webhook process;
 *  4. two Lobstr result reads on two workers at once: 429s served and retried,
 *     no row lost, no execution failed; prints the 429 count;
 *  5. a worker killed during an in-execution Wait for Completion: what n8n does
 *     with that execution (measured), whether the worker stays down or restarts.
 * Cases 2 and 3 share one timeline (one main restart), and case 5's stalled-job
 * clock runs during cases 1 and 4, to keep the wall time down.
 * Exits non-zero on any failure.
 */
import fs from 'node:fs';
import path from 'node:path';

import { log, secs, sleep, table, t0 } from '../../scripts/lib/log';
import { buildPackage, ensureN8n, N8N_VERSION, REPO } from '../../scripts/lib/n8n';
import { QueueStack } from '../../scripts/lib/queue';
import { allExamples, credentialsFor, EXAMPLES_DIR, startEmulators, stopEmulators } from '../../scripts/lib/stack';
import type { StartedProvider } from '../../scripts/lib/stack';
import { HASDATA_RESULT_ROWS } from '../../scripts/providers';
import type { ExampleWorkflow } from '../../scripts/providers';
import { HasDataEmulator } from '../emulators/hasData';
import { HirebaseEmulator } from '../emulators/hirebase';
import { LobstrEmulator } from '../emulators/lobstr';
import { PlatformJobsEmulator } from '../emulators/platformJobs';
import { assert, binariesOf, errorOf, isXlsx, items, QueueApi, waitFor } from './queue-harness';
import { inExecutionWaitWorkflow, lobstrResultsWorkflow, MANUAL, triggerWorkflow } from './queue-workflows';

type Outcome = 'passed' | 'FAILED' | 'PENDING';
interface Result {
	name: string;
	outcome: Outcome;
	ms: number;
	detail?: string;
}

const results: Result[] = [];
const facts: string[] = [];

function fact(line: string): void {
	facts.push(line);
	log('queue-e2e', `  ${line}`);
}

/** Runs one case; `ms` overrides its time when it only checks what a shared timeline did. */
async function test(name: string, fn: () => Promise<void>, ms?: number): Promise<boolean> {
	const t = Date.now() - (ms ?? 0);
	log('queue-e2e', `▶ ${name}`);
	try {
		await fn();
		results.push({ name, outcome: 'passed', ms: Date.now() - t });
		log('queue-e2e', `✓ ${name} (${secs(Date.now() - t)})`);
		return true;
	} catch (error) {
		const message = (error as Error).stack ?? String(error);
		results.push({ name, outcome: 'FAILED', ms: Date.now() - t, detail: message });
		log('queue-e2e', `✗ ${name} (${secs(Date.now() - t)})\n${message}`);
		return false;
	}
}

// Credentials of the suite's own emulators (the examples use the registry's).
const CRED = {
	platform: { type: 'platformJobsApi', id: 'qmPlatformCred01', name: 'queue e2e: Platform Jobs' },
	hirebase: { type: 'hirebaseApi', id: 'qmHirebaseCred01', name: 'queue e2e: Hirebase' },
	lobstr: { type: 'lobstrApi', id: 'qmLobstrCredTr01', name: 'queue e2e: Lobstr (triggers)' },
	lobstrRate: { type: 'lobstrApi', id: 'qmLobstrCredRl01', name: 'queue e2e: Lobstr (rate limit)' },
	hasData: { type: 'hasDataApi', id: 'qmHasDataCred001', name: 'queue e2e: HasData' },
};

const WF = {
	lobstrResults: 'qmLobstrResults1',
	inExecutionWait: 'qmInExecWait0001',
	trigger: { platform: 'qmTrigPlatform01', hirebase: 'qmTrigHirebase01', lobstr: 'qmTrigLobstr0001', hasData: 'qmTrigHasData001' },
};

/** Rows of the Lobstr run two workers read at once: 10 pages of 100 each. */
const LOBSTR_RATE_ROWS = 1000;
/** The durable loops' Wait: over n8n's 65 s threshold (parked in the database), long enough for a main restart under load. */
const LOOP_WAIT_SECONDS = 120;
/** The shipped example that parks until HasData calls back. */
const CALLBACK_EXAMPLE = 'asyncJobsHasDCb1';
const HOUR = 3_600_000;

/** A job that finished long ago / finishes in an hour, for emulators that count from createdAt. */
function finishNow(job: { createdAt: number; plan: { queuedMs?: number; runMs?: number; processingMs?: number } }): void {
	job.createdAt = Date.now() - (job.plan.queuedMs ?? 0) - (job.plan.runMs ?? job.plan.processingMs ?? 0) - 5;
}

async function main(): Promise<number> {
	const suiteStart = Date.now();
	const outputDir = path.join(REPO, '.n8n-e2e', 'queue-output');
	fs.rmSync(outputDir, { recursive: true, force: true });
	let registry: StartedProvider[] = [];
	let stack: QueueStack | undefined;
	const own = {
		platform: new PlatformJobsEmulator('qm-platform-key'),
		hirebase: new HirebaseEmulator('qm-hirebase-key'),
		lobstr: new LobstrEmulator({ apiKey: 'qm-lobstr-key' }),
		lobstrRate: new LobstrEmulator({ apiKey: 'qm-lobstr-rate-key' }),
		hasData: new HasDataEmulator('qm-hasdata-key'),
	};
	let setupMs = 0;
	let keepLogs = true;
	let memory: ReturnType<QueueStack['memory']> = [];
	// Ctrl-C or a CI timeout: stop what this suite started (by PID) before leaving.
	const onSignal = (signal: NodeJS.Signals) => {
		log('queue-e2e', `${signal}: stopping the stack...`);
		void Promise.allSettled([stack?.stop(), stopEmulators(registry), ...Object.values(own).map((e) => e.stop())]).then(() => process.exit(130));
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	try {
		// ------------------------------------------------------------------ setup
		const t = Date.now();
		log('queue-e2e', `n8n ${N8N_VERSION}: installing or reusing...`);
		const installDir = ensureN8n();
		buildPackage();
		registry = await startEmulators(false);
		own.platform.rateLimit.limit = 1_000_000;
		await own.platform.start();
		await own.hirebase.start();
		await own.lobstr.start();
		await own.lobstrRate.start();
		await own.hasData.start();
		// w3 is the worker case 5 kills: it runs alone first, so the execution lands on it.
		stack = await QueueStack.create({ installDir, outputDir, workers: 2, extraWorkers: ['w3'], workerConcurrency: 1 });
		const s = stack;
		const api = new QueueApi(s.main, installDir);

		const ownCreds = [
			{ ...CRED.platform, data: { baseUrl: own.platform.baseUrl, apiKey: own.platform.apiKey } },
			{ ...CRED.hirebase, data: { baseUrl: own.hirebase.baseUrl, apiKey: own.hirebase.apiKey } },
			{ ...CRED.lobstr, data: { baseUrl: own.lobstr.baseUrl, apiKey: own.lobstr.apiKey } },
			{ ...CRED.lobstrRate, data: { baseUrl: own.lobstrRate.baseUrl, apiKey: own.lobstrRate.apiKey } },
			{ ...CRED.hasData, data: { baseUrl: own.hasData.baseUrl, apiKey: own.hasData.apiKey } },
		];

		// Jobs the suite's workflows use.
		const neverEnding = own.platform.createJob({ queuedMs: 0, runMs: 10 * HOUR });
		const lobstrSquid = own.lobstrRate.addSquid('queue e2e: rate limit');
		const lobstrRun = own.lobstrRate.addFinishedRun(lobstrSquid, 60_000, { rows: LOBSTR_RATE_ROWS });
		const watched = {
			platform: {
				before: [own.platform.createJob({ queuedMs: 0, runMs: 0 }), own.platform.createJob({ queuedMs: 0, runMs: 0, outcome: 'failed' })],
				during: own.platform.createJob({ queuedMs: 0, runMs: 10 * HOUR }),
				never: own.platform.createJob({ queuedMs: 0, runMs: 10 * HOUR }),
			},
			hirebase: {
				before: [own.hirebase.createTask({ queuedMs: 0, processingMs: 0 }), own.hirebase.createTask({ queuedMs: 0, processingMs: 0 })],
				during: own.hirebase.createTask({ queuedMs: 0, processingMs: 10 * HOUR }),
				never: own.hirebase.createTask({ queuedMs: 0, processingMs: 10 * HOUR }),
			},
			hasData: {
				before: [own.hasData.createJob({ queuedMs: 0, runMs: 0 }), own.hasData.createJob({ queuedMs: 0, runMs: 0 })],
				during: own.hasData.createJob({ queuedMs: 0, runMs: 10 * HOUR }),
				never: own.hasData.createJob({ queuedMs: 0, runMs: 10 * HOUR }),
			},
		};
		const lobstrTrigSquid = own.lobstr.addSquid('queue e2e: trigger');
		const lobstrOld = own.lobstr.addFinishedRun(lobstrTrigSquid, 120_000);
		const lobstrDuring = own.lobstr.addRun(lobstrTrigSquid, { pendingMs: 0, runningMs: 10 * HOUR });
		const idList = (w: { before: string[]; during: string; never: string }) => [...w.before, w.during, w.never].join(', ');

		const wfDir = path.join(s.runDir, 'workflows');
		fs.mkdirSync(wfDir, { recursive: true });
		const generated: Record<string, object> = {
			[WF.lobstrResults]: lobstrResultsWorkflow(WF.lobstrResults, lobstrRun, CRED.lobstrRate),
			[WF.inExecutionWait]: inExecutionWaitWorkflow(WF.inExecutionWait, neverEnding, CRED.platform),
			[WF.trigger.platform]: triggerWorkflow(WF.trigger.platform, 'Platform Jobs Trigger', 'platformJobsTrigger', { jobIds: idList(watched.platform) }, CRED.platform),
			[WF.trigger.hirebase]: triggerWorkflow(WF.trigger.hirebase, 'Hirebase Trigger', 'hirebaseTrigger', { taskIds: idList(watched.hirebase) }, CRED.hirebase),
			[WF.trigger.hasData]: triggerWorkflow(WF.trigger.hasData, 'HasData Trigger', 'hasDataTrigger', { jobIds: idList(watched.hasData) }, CRED.hasData),
			[WF.trigger.lobstr]: triggerWorkflow(WF.trigger.lobstr, 'Lobstr Trigger', 'lobstrTrigger', { watch: 'selected', squidIds: [lobstrTrigSquid] }, CRED.lobstr),
		};
		for (const [id, workflow] of Object.entries(generated)) fs.writeFileSync(path.join(wfDir, `${id}.json`), JSON.stringify(workflow, null, 2));
		for (const { example } of allExamples()) {
			const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, example.file), 'utf8'));
			// The durable loops' Wait (70 s as shipped) is set longer, so that a main restart
			// on a busy machine still ends while they are parked. Everything else as shipped.
			for (const node of workflow.nodes) if (node.type === 'n8n-nodes-base.wait') node.parameters.amount = LOOP_WAIT_SECONDS;
			// The HasData callback example uses the suite's own HasData emulator, so that the
			// suite decides when HasData calls back (after the workers are back, see case 3).
			if (example.id === CALLBACK_EXAMPLE) {
				for (const node of workflow.nodes) if (node.credentials?.hasDataApi) node.credentials.hasDataApi = { id: CRED.hasData.id, name: CRED.hasData.name };
			}
			fs.writeFileSync(path.join(wfDir, example.file), JSON.stringify(workflow, null, 2));
		}

		// The main runs the migrations; then imports (CLI, same database) and the
		// webhook process and the case-5 worker start together.
		await s.startMain();
		const importing = (async () => {
			const ti = Date.now();
			await s.cli.importCredentials([...credentialsFor(registry), ...ownCreds]);
			await s.cli.cliOk(['import:workflow', '--separate', `--input=${wfDir}`]);
			log('queue-e2e', `imported credentials and ${fs.readdirSync(wfDir).length} workflows in ${secs(Date.now() - ti)}`);
		})();
		await Promise.all([importing, s.startOthers(['w3', 'webhook'])]);
		await s.main.login();

		// ------------------------------------------------------------------ case 5, started first
		// A worker that dies and does not come back (a lost machine): n8n takes about
		// two minutes to give up on its execution; that clock runs during cases 1 and 4.
		let case5: Promise<void> = Promise.resolve();
		let case5Setup: { executionId: string; killedAt: number; requestsAtKill: number } | undefined;
		const requestsAboutJob = () => own.platform.server.requests.filter((r) => r.path.includes(`/jobs/${neverEnding}`)).length;
		const case5Ok = await test('5a. the worker running a Wait for Completion is killed and does not come back (setup)', async () => {
			const executionId = await api.runManual(WF.inExecutionWait, MANUAL);
			const worker = await waitFor('w3 to start the execution', 30_000, async () => s.workersThatRan(executionId)[0], 250);
			assert(worker === 'w3', `ran on ${worker}`);
			await waitFor('the node to poll the job twice', 30_000, async () => (requestsAboutJob() >= 2 ? true : undefined), 250);
			const pid = s.worker('w3').pid;
			await s.worker('w3').kill();
			case5Setup = { executionId, killedAt: Date.now(), requestsAtKill: requestsAboutJob() };
			fact(`case 5: execution ${executionId} ran on w3 (pid ${pid}); SIGKILLed w3 while its node waited for the job; w3 stays down`);
		});
		if (case5Ok) {
			case5 = (async () => {
				const { executionId, killedAt, requestsAtKill } = case5Setup!;
				await test("5b. n8n fails the lost worker's execution after its stalled-job check, without running it again", async () => {
					const runningAt = (await api.execution(executionId)).status;
					const ended = await api.waitForEnd(executionId, 300_000);
					const tookMs = Date.now() - killedAt;
					const mainLine = s.main.readLog().split('\n').find((l) => l.includes(`execution ${executionId})`) && /stalled|too many times/i.test(l));
					const polledAfter = requestsAboutJob() - requestsAtKill;
					fact(`case 5: execution ${executionId} stayed "${runningAt}" for ${secs(tookMs)} after the kill, then became "${ended.status}"${errorOf(ended) ? ` (${errorOf(ended)})` : ''}`);
					if (mainLine) fact(`case 5: main logged "${mainLine.trim().slice(0, 200)}"`);
					fact(`case 5: requests about the job after the kill: ${polledAfter} (the wait was not resumed on another worker)`);
					assert(ended.status === 'error' || ended.status === 'crashed', `status ${ended.status}`);
					assert(polledAfter === 0, `the job was polled ${polledAfter} more times after the kill: the execution was retried somewhere`);
					assert(s.workersThatRan(executionId).join() === 'w3', `ran on ${s.workersThatRan(executionId)}`);
				});
			})();
		}

		await s.startOthers(['w1', 'w2']);
		setupMs = Date.now() - t;
		log('queue-e2e', `stack up in ${secs(setupMs)} (apt ${secs(s.aptMs)})`);

		await test('every process loads the package without errors', async () => {
			for (const { name, n8n } of s.processes) {
				const errors = n8n.loadErrors();
				assert(errors.length === 0, `${name}: ${errors.join('\n')}`);
			}
		});

		// ------------------------------------------------------------------ case 1
		await test('1. every example workflow runs on a worker and produces its rows and XLSX', async () => {
			const runs = [];
			for (const { provider, example } of allExamples()) {
				if (example.kind !== 'run') continue;
				runs.push({ provider, example, id: await api.runManual(example.id, MANUAL) });
			}
			const problems: string[] = [];
			for (const { provider, example, id } of runs) {
				const e = await api.waitForEnd(id, 180_000);
				const ranOn = s.workersThatRan(id);
				const rows = items(e, example.rowsNode!);
				const files = binariesOf(e, example.fileNode!, s.postgres!, s.db.database);
				const xlsx = isXlsx(files);
				fact(`case 1: ${provider.title} "${example.title}": execution ${id} ${e.status} (${e.mode}) on ${ranOn.join('+') || 'no worker'}, ${rows.length} rows, XLSX ${xlsx ? `of ${files[0].bytes!.length} bytes` : 'MISSING'}`);
				if (e.status !== 'success') problems.push(`${example.title}: ${e.status} ${errorOf(e) ?? ''}`);
				if (ranOn.length !== 1) problems.push(`${example.title}: ran on ${JSON.stringify(ranOn)} (expected exactly one worker)`);
				if (!/Enqueued execution/.test(s.main.readLog()) || !new RegExp(`Enqueued execution ${id} `).test(s.main.readLog())) problems.push(`${example.title}: main did not enqueue execution ${id}`);
				if (rows.length !== example.expectRows) problems.push(`${example.title}: ${rows.length} rows, expected ${example.expectRows}`);
				for (const key of example.rowKeys ?? []) if (!rows.every((r) => key in r)) problems.push(`${example.title}: a row lacks "${key}"`);
				if (!xlsx) problems.push(`${example.title}: "${example.fileNode}" did not output one XLSX: ${JSON.stringify(files.map((f) => ({ mimeType: f.mimeType, bytes: f.bytes?.length })))}`);
			}
			assert(problems.length === 0, problems.join('\n'));
		});

		// ------------------------------------------------------------------ case 4
		await test('4. two Lobstr result reads on two workers at once: no row lost, no execution failed', async () => {
			const rejectedBefore = own.lobstrRate.limits.results.rejected;
			const requestsBefore = own.lobstrRate.server.count('GET', '/results');
			const started = Date.now();
			const ids = await Promise.all([api.runManual(WF.lobstrResults, MANUAL), api.runManual(WF.lobstrResults, MANUAL)]);
			const ended = await Promise.all(ids.map((id) => api.waitForEnd(id, 180_000)));
			const wall = Date.now() - started;
			const served429 = own.lobstrRate.limits.results.rejected - rejectedBefore;
			const requests = own.lobstrRate.server.count('GET', '/results') - requestsBefore;
			const workers = ids.map((id) => s.workersThatRan(id).join('+'));
			fact(`case 4: executions ${ids.join(' and ')} ran on ${workers.join(' and ')}; ${requests} GET /results, ${served429} answered 429 (retried), ${secs(wall)} for both`);
			for (const e of ended) {
				const rows = items(e, 'Get Run Results');
				const unique = new Set(rows.map((r) => r.id)).size;
				fact(`case 4: execution ${e.id}: ${e.status}, ${rows.length} rows (${unique} distinct)`);
				assert(e.status === 'success', `execution ${e.id}: ${e.status} ${errorOf(e) ?? ''}`);
				assert(rows.length === LOBSTR_RATE_ROWS && unique === LOBSTR_RATE_ROWS, `execution ${e.id}: ${rows.length} rows, ${unique} distinct (expected ${LOBSTR_RATE_ROWS})`);
			}
			assert(new Set(workers).size === 2 && workers.every((w) => /^w\d$/.test(w)), `the two reads did not run on two different workers: ${workers}`);
			process.stdout.write(`\nLobstr 429 count (case 4, two workers reading at once): ${served429} of ${requests} requests\n\n`);
		});

		// ------------------------------------------------------------------ cases 2 + 3: one timeline
		// Both need parked work and triggers across the same killed workers and main restart.
		const t23 = Date.now();
		const parkedExamples = allExamples().filter(({ example }) => example.kind === 'parked');
		const shippedTrigger = allExamples().find(({ example }) => example.kind === 'trigger');
		const timeline = await (async () => {
			// Case 2: publish one trigger per provider (and the shipped trigger example).
			const triggerIds = [...Object.values(WF.trigger), ...(shippedTrigger ? [shippedTrigger.example.id] : [])];
			for (const id of triggerIds) await api.publish(id);
			const activatedAt = Date.now();
			const expectAtActivation = [...watched.platform.before, ...watched.hirebase.before, ...watched.hasData.before];
			const firedAtActivation = await waitFor('the activation polls to fire the finished jobs', 60_000, async () => {
				const fired = await firedJobs(api);
				return expectAtActivation.every((id) => fired.some((f) => f.jobs.includes(id))) ? fired : undefined;
			}, 1000);
			fact(`case 2: the activation polls fired ${firedAtActivation.length} executions in ${secs(Date.now() - activatedAt)}: ${summarise(firedAtActivation)}`);

			// Case 5 ends by the stalled-job check, which runs in the live workers (with none
			// up, the execution stays "running"): let it finish before workers are killed.
			await case5;

			// Case 3: every shipped durable loop and the HasData callback example, parked.
			// The callback example's job runs until the suite finishes it (after the restarts).
			own.hasData.nextPlans.push({ queuedMs: 0, runMs: 10 * HOUR, rows: HASDATA_RESULT_ROWS });
			const parked: Array<{ example: ExampleWorkflow; id: string; waitTill?: string; firstOn: string[] }> = [];
			for (const { example } of parkedExamples) parked.push({ example, id: await api.runManual(example.id, MANUAL), firstOn: [] });
			for (const p of parked) {
				const e = await api.waitForStatus(p.id, ['waiting'], 90_000, 500);
				p.waitTill = e.waitTill ?? undefined;
				p.firstOn = s.workersThatRan(p.id);
			}
			fact(`case 3: ${parked.length} shipped examples parked: ${parked.map((p) => `#${p.id} ${p.example.file} (first part on ${p.firstOn.join('+')}, until ${p.waitTill?.slice(11, 19)})`).join('; ')}`);

			// Kill the workers that ran the parked executions' first parts.
			const victims = [...new Set(parked.flatMap((p) => p.firstOn))].sort();
			for (const name of victims) await s.worker(name).kill();
			const killedAt = Date.now();
			fact(`case 3: SIGKILLed ${victims.join(' and ')} while the ${parked.length} executions were parked`);

			// Restart the main; while it is down, one watched job per provider finishes. Then
			// bring the killed workers back (after the main: three n8n starting at once on a
			// busy machine would push the main's return past the parked executions' waitTill).
			const mainDownAt = Date.now();
			const downMs = await s.restartMain(async () => {
				finishNow(own.platform.jobs.get(watched.platform.during)!);
				finishNow(own.hirebase.tasks.get(watched.hirebase.during)! as any);
				finishNow(own.hasData.jobs.get(watched.hasData.during)!);
				own.lobstr.finishNow(lobstrDuring);
			});
			const mainBackAt = Date.now();
			await s.main.login();
			const firstWaitTill = Math.min(...parked.map((p) => Date.parse(String(p.waitTill))).filter(Number.isFinite));
			fact(`case 2/3: main restarted (away ${secs(downMs)}, back ${secs(firstWaitTill - mainBackAt)} before the first loop's waitTill); a job per provider finished meanwhile`);
			await s.startOthers(victims);
			fact(`case 3: ${victims.join(' and ')} back ${secs(Date.now() - killedAt)} after the kill`);

			// HasData finishes the job and calls the resume URL it was given: the webhook process.
			const callbackRun = parked.find((p) => p.example.id === CALLBACK_EXAMPLE);
			if (callbackRun) {
				const job = [...own.hasData.jobs.values()].find((j) => String((j.input.webhook as { url?: string } | undefined)?.url ?? '').includes(`/webhook-waiting/${callbackRun.id}`));
				assert(job, `no HasData job was started with execution ${callbackRun.id}'s resume URL`);
				finishNow(job);
				(own.hasData as unknown as { sendEvent(job: unknown, event: string, status: string): void }).sendEvent(job, 'scraper.job.finished', 'finished');
			}

			const expectAll = [...expectAtActivation, watched.platform.during, watched.hirebase.during, watched.hasData.during, lobstrDuring];
			await waitFor('the first poll after the restart to fire the jobs that finished meanwhile', 120_000, async () => {
				const list = await firedJobs(api);
				return expectAll.every((id) => list.some((f) => f.jobs.includes(id))) ? list : undefined;
			}, 2000);
			const ended = [];
			for (const p of parked) ended.push({ ...p, execution: await api.waitForEnd(p.id, LOOP_WAIT_SECONDS * 1000 + 120_000) });
			// A re-fire of an already fired job (lost trigger state) would come with the same poll.
			await sleep(5000);
			const final = await firedJobs(api);
			const shippedTriggerRuns = shippedTrigger ? await api.executionsOf(shippedTrigger.example.id) : [];
			return { expectAll, final, ended, victims, mainDownAt, mainBackAt, killedAt, shippedTriggerRuns };
		})().catch((error: Error) => error);
		const ms23 = Date.now() - t23;

		await test('2. a trigger per provider fires each finished job once, with two workers and a main restart', async () => {
			if (timeline instanceof Error) throw timeline;
			const { expectAll, final, shippedTriggerRuns } = timeline;
			fact(`case 2: executions at the end: ${summarise(final)}`);
			const firedIds = final.flatMap((f) => f.jobs);
			const perWorker = countBy(final.map((f) => f.worker));
			fact(`case 2: trigger executions per worker: ${JSON.stringify(perWorker)}`);
			const problems: string[] = [];
			for (const id of expectAll) {
				const times = firedIds.filter((x) => x === id).length;
				if (times !== 1) problems.push(`job ${id} fired ${times} times`);
			}
			for (const id of [watched.platform.never, watched.hirebase.never, watched.hasData.never, lobstrOld]) {
				if (firedIds.includes(id)) problems.push(`job ${id} fired but should not have (never finished / finished before the trigger)`);
			}
			if (final.some((f) => f.status !== 'success')) problems.push(`statuses: ${final.map((f) => f.status)}`);
			if (final.some((f) => f.mode !== 'trigger')) problems.push(`modes: ${final.map((f) => f.mode)}`);
			if (final.some((f) => !/^w\d$/.test(f.worker))) problems.push(`an execution did not run on a worker: ${final.map((f) => f.worker)}`);
			if (Object.keys(perWorker).length < 2) problems.push(`only ${Object.keys(perWorker)} ran trigger executions`);
			if (shippedTrigger) {
				// The shipped example watches the registry's three demo jobs (they finish 35, 95 and
				// 155 s after the emulators start; the last one fails): each fires once, on a worker.
				const { example } = shippedTrigger;
				const jobs = shippedTriggerRuns.flatMap((e) => items(e, 'Platform Jobs Trigger').map((j) => String(j.id)));
				const files = shippedTriggerRuns.map((e) => binariesOf(e, 'Convert to XLSX', s.postgres!, s.db.database));
				fact(`case 2: shipped "${example.title}": ${shippedTriggerRuns.map((e, i) => `#${e.id} ${e.status} on ${s.workersThatRan(e.id).join('+')} (${items(e, 'Platform Jobs Trigger').length} jobs, ${isXlsx(files[i]) ? 'XLSX' : 'no XLSX'})`).join(', ')}`);
				if (shippedTriggerRuns.length === 0 || shippedTriggerRuns.some((e) => e.status !== 'success')) problems.push(`shipped trigger example: ${shippedTriggerRuns.map((e) => e.status)}`);
				if (new Set(jobs).size !== jobs.length) problems.push(`shipped trigger example fired a job twice: ${jobs}`);
				if (!isXlsx(files[0] ?? [])) problems.push('shipped trigger example: its first execution made no XLSX');
			}
			assert(problems.length === 0, problems.join('\n'));
		}, ms23);

		await test('3. the shipped durable loops and HasData callback example resume after killed workers and a restarted main', async () => {
			if (timeline instanceof Error) throw timeline;
			const { ended, victims, mainDownAt, mainBackAt } = timeline;
			const problems: string[] = [];
			for (const p of ended) {
				const { example, execution: e } = p;
				const runsOn = s.workersThatRan(e.id);
				const bullJobs = s.workers.reduce((n, w) => n + (w.n8n.readLog().match(new RegExp(`Worker started execution ${e.id} \\(job`, 'g'))?.length ?? 0), 0);
				const rows = items(e, example.rowsNode!);
				const jobs = items(e, example.jobNode!);
				const job = jobs[jobs.length - 1];
				const xlsx = isXlsx(binariesOf(e, example.fileNode!, s.postgres!, s.db.database));
				fact(`case 3: #${e.id} ${example.file}: "${e.status}", ran in ${bullJobs} parts on ${runsOn.join('+')}, job ${job?.status} after ${job?.polls ?? '-'} checks / ${job?.waitedSeconds ?? '-'} s, ${rows.length} rows, XLSX ${xlsx ? 'yes' : 'NO'}`);
				if (e.status !== 'success') problems.push(`${example.title}: ${e.status} ${errorOf(e) ?? ''}`);
				if (bullJobs < 2) problems.push(`${example.title}: ran as ${bullJobs} worker job(s); a parked execution resumes as a new one`);
				if (job?.status !== 'succeeded') problems.push(`${example.title}: job ${JSON.stringify(job)?.slice(0, 200)}`);
				if (rows.length !== example.expectRows) problems.push(`${example.title}: ${rows.length} rows, expected ${example.expectRows}`);
				for (const key of example.rowKeys ?? []) if (!rows.every((r) => key in r)) problems.push(`${example.title}: a row lacks "${key}"`);
				if (!xlsx) problems.push(`${example.title}: no XLSX from "${example.fileNode}"`);
				if (example.jobNode === 'Check Status and Route' && !(job?.polls >= 2 && job?.waitedSeconds >= 65)) problems.push(`${example.title}: did not go round the loop`);
			}
			if (victims.length === 0) problems.push('no worker was killed');
			const calls = own.hasData.webhookDeliveries;
			const webhookPort = `:${s.webhook.port}/`;
			const when = (at: number) => (at < mainDownAt ? 'main up' : at < mainBackAt ? 'main DOWN' : 'main back');
			// HasData sends scraper.job.finished again as a retry: the execution is no longer waiting then (409).
			fact(`case 3: HasData called ${calls.map((c) => `${c.url.includes(webhookPort) ? 'the webhook process' : c.url} → ${c.status} (${when(c.at)})`).join(', ') || 'nobody'}`);
			if (!calls.some((c) => c.url.includes(webhookPort) && c.status === 200)) problems.push(`no HasData callback was accepted by the webhook process: ${JSON.stringify(calls)}`);
			assert(problems.length === 0, problems.join('\n'));
		}, ms23);

		memory = s.memory();

		await test('5c. a killed worker that restarts with its own folder marks its unfinished execution crashed', async () => {
			const executionId = await api.runManual(WF.inExecutionWait, MANUAL);
			const worker = await waitFor('a worker to start the execution', 30_000, async () => s.workersThatRan(executionId)[0], 250);
			const polled = requestsAboutJob();
			await waitFor('the node to poll the job', 30_000, async () => (requestsAboutJob() > polled ? true : undefined), 250);
			await s.worker(worker).kill();
			const killedAt = Date.now();
			await s.worker(worker).start(120_000);
			const restartedMs = Date.now() - killedAt;
			const ended = await api.waitForEnd(executionId, 60_000);
			const recovery = s.worker(worker).readLog().split('\n').filter((l) => /Found unfinished executions|amended execution/.test(l)).map((l) => l.trim());
			fact(`case 5: execution ${executionId} on ${worker}: SIGKILL, restarted in ${secs(restartedMs)}; "${ended.status}" ${secs(Date.now() - killedAt)} after the kill${errorOf(ended) ? ` (${errorOf(ended)})` : ''}; ${worker} logged: ${recovery.slice(-2).join(' / ')}`);
			assert(ended.status === 'crashed' || ended.status === 'error', `status ${ended.status}`);
		});
	} catch (error) {
		results.push({ name: 'suite setup', outcome: 'FAILED', ms: 0, detail: (error as Error).stack ?? String(error) });
		log('queue-e2e', `setup failed: ${(error as Error).stack}`);
	} finally {
		const t = Date.now();
		// The temp folder (logs, user folders) is kept only when something failed.
		keepLogs = results.length === 0 || results.some((r) => r.outcome !== 'passed');
		await stack?.stop(!keepLogs);
		await stopEmulators(registry);
		await Promise.all(Object.values(own).map((e) => e.stop().catch(() => undefined)));
		log('queue-e2e', `stopped everything in ${secs(Date.now() - t)}`);
	}

	const passed = results.filter((r) => r.outcome === 'passed').length;
	const failed = results.filter((r) => r.outcome === 'FAILED').length;
	const pendingCount = results.filter((r) => r.outcome === 'PENDING').length;
	// In case order (they run interleaved to save wall time: case 5's stalled-job clock runs during 1 and 4).
	const caseNumber = (r: Result) => Number(/^(\d)/.exec(r.name)?.[1] ?? 0);
	const ordered = [...results].sort((a, b) => caseNumber(a) - caseNumber(b));
	process.stdout.write(`\n${table(['Case', 'Result', 'Seconds'], ordered.map((r) => [r.name, r.outcome, r.outcome === 'PENDING' ? '-' : (r.ms / 1000).toFixed(1)]))}\n`);
	process.stdout.write(`(wall time of the suite: ${secs(Date.now() - suiteStart)}, of which setup ${secs(setupMs)}${stack ? `, apt ${secs(stack.aptMs)}` : ''})\n`);
	if (memory.length) {
		const total = memory.reduce((sum, m) => sum + m.rssMiB, 0);
		process.stdout.write(`\nMemory (MiB, RSS now / peak, with child task runners): ${memory.map((m) => `${m.name} ${m.rssMiB}/${m.peakMiB}`).join(', ')}; total ${total}\n`);
	}
	process.stdout.write(`\nWhat happened:\n${facts.map((f) => `- ${f}`).join('\n')}\n`);
	for (const r of results.filter((x) => x.outcome !== 'passed')) process.stdout.write(`\n${r.outcome}: ${r.name}\n${r.detail}\n`);
	if (stack && keepLogs) process.stdout.write(`\nlogs: ${stack.runDir}/{main,w1,w2,w3,webhook}/n8n.log\n`);
	process.stdout.write(`\nqueue e2e: ${passed} passed, ${failed} failed, ${pendingCount} pending; setup ${secs(setupMs)}, total ${secs(Date.now() - suiteStart)} (process up ${secs(Date.now() - t0)})\n`);
	return failed || passed === 0 ? 1 : 0;
}

interface Fired {
	id: string;
	status: string;
	mode: string;
	jobs: string[];
	worker: string;
}

/** Every execution of the four trigger workflows: the jobs it fired and the worker that ran it. */
async function firedJobs(api: QueueApi): Promise<Fired[]> {
	const out: Fired[] = [];
	for (const id of Object.values(WF.trigger)) {
		for (const e of await api.executionsOf(id)) {
			if (['new', 'running'].includes(e.status)) continue;
			const recorded = items(e, 'Record');
			out.push({ id: e.id, status: e.status, mode: e.mode, jobs: recorded.map((j) => String(j.id)), worker: String(recorded[0]?.firedOn ?? '?') });
		}
	}
	return out.sort((a, b) => Number(a.id) - Number(b.id));
}

function summarise(fired: Fired[]): string {
	return fired.map((f) => `#${f.id} ${f.jobs.map((j) => j.slice(0, 10)).join('+')}@${f.worker}`).join(', ');
}

function countBy(values: string[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const v of values) out[v] = (out[v] ?? 0) + 1;
	return out;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
