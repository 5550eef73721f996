/**
 * End-to-end suite for the TRIGGERS, in a real n8n (2.41.1): every provider's
 * trigger fires each job exactly once, across an n8n restart; the HasData
 * Webhook Trigger starts one execution per job however HasData repeats its
 * call (2 s apart, at the same moment, 1st job and 10th, after a restart);
 * triggers polling every 5 s against an API slower than that, with random
 * 503s and 429s, fire each job exactly once (three trials at once).
 *
 * Polling every 5 s is legitimate n8n configuration: n8n refuses a Poll Times
 * entry that fires more than once a minute, but accepts several entries, each
 * "every minute at second N" (here 12 of them: 0, 5, …, 55).
 *
 * Run by `npm test` after test/e2e/run.ts, or alone: `npm run test:e2e:triggers`.
 * Exits non-zero on any failure; prints its time; the last line reads "N passed, N failed".
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { log, secs, sleep } from '../../scripts/lib/log';
import { buildPackage, ensureN8n, N8n, REPO } from '../../scripts/lib/n8n';
import { freePort, nodeItems } from '../../scripts/lib/stack';
import { HasDataEmulator } from '../emulators/hasData';
import { HirebaseEmulator } from '../emulators/hirebase';
import { LobstrEmulator } from '../emulators/lobstr';
import { PlatformJobsEmulator } from '../emulators/platformJobs';
import type { EmulatorServer } from '../emulators/server';
import { assert, decodeExecutionData, EVERY_5_SECONDS, report, results, test, waitFor } from './lib';

const SECRET_HEADER = 'X-HasData-Secret';
const SECRET = `e2e-${randomUUID()}`;
const HOOK_ID = '7d4f2a10-1111-4c11-9a00-00000000e2e1';

interface Provider {
	key: string;
	credentialType: string;
	emulator: { server: EmulatorServer; baseUrl: string; apiKey: string };
}

function credentialOf(p: Provider) {
	return { id: `e2eTr${p.key}`.slice(0, 16).padEnd(16, '0'), name: `e2e ${p.key}`, type: p.credentialType, data: { baseUrl: p.emulator.baseUrl, apiKey: p.emulator.apiKey } };
}

function workflow(id: string, p: Provider, nodeType: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
	const cred = credentialOf(p);
	return {
		id,
		name: `e2e triggers: ${id}`,
		nodes: [
			{
				id: randomUUID(),
				name: 'Trigger',
				type: `n8n-nodes-async-jobs.${nodeType}`,
				typeVersion: 1,
				position: [0, 0],
				parameters,
				credentials: { [p.credentialType]: { id: cred.id, name: cred.name } },
				...extra,
			},
			{ id: randomUUID(), name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [240, 0], parameters: {} },
		],
		connections: { Trigger: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		active: false,
		pinData: {},
		tags: [],
	};
}

async function main(): Promise<number> {
	const suiteStart = Date.now();
	const outputDir = path.join(REPO, '.n8n-e2e', 'triggers-output');
	fs.rmSync(outputDir, { recursive: true, force: true });
	const emulators: Array<{ stop(): Promise<void> }> = [];
	let n8n: N8n | undefined;
	try {
		const installDir = ensureN8n();
		if (process.env.ASYNC_JOBS_E2E_SKIP_BUILD !== '1') buildPackage();

		// ---- emulators -------------------------------------------------------
		const platform = new PlatformJobsEmulator('platform-e2e-key');
		platform.rateLimit.limit = 1_000_000;
		const hirebase = new HirebaseEmulator('hirebase-e2e-key');
		const lobstr = new LobstrEmulator({ apiKey: 'lobstr-e2e-key' });
		const hasData = new HasDataEmulator('hasdata-e2e-key');
		const hook = new HasDataEmulator('hasdata-hook-key');
		hook.idStyle = 'integer';
		// Three slow, flaky APIs for the overlap trials: every answer slower than the 5 s poll interval.
		const slowA = new PlatformJobsEmulator('platform-slow-a');
		const slowB = new PlatformJobsEmulator('platform-slow-b');
		const slowC = new HirebaseEmulator('hirebase-slow-c');
		for (const e of [platform, hirebase, lobstr, hasData, hook, slowA, slowB, slowC]) {
			await e.start();
			emulators.push(e);
		}
		const slowServers: EmulatorServer[] = [slowA.server, slowB.server, slowC.api];
		for (const e of [slowA, slowB]) e.rateLimit.limit = 1_000_000;

		const P: Provider = { key: 'platform', credentialType: 'platformJobsApi', emulator: platform };
		const H: Provider = { key: 'hirebase', credentialType: 'hirebaseApi', emulator: { server: hirebase.api, baseUrl: hirebase.baseUrl, apiKey: hirebase.apiKey } };
		const L: Provider = { key: 'lobstr', credentialType: 'lobstrApi', emulator: lobstr };
		const D: Provider = { key: 'hasdata', credentialType: 'hasDataApi', emulator: hasData };
		const W: Provider = { key: 'hook', credentialType: 'hasDataApi', emulator: hook };
		const SA: Provider = { key: 'slowa', credentialType: 'platformJobsApi', emulator: slowA };
		const SB: Provider = { key: 'slowb', credentialType: 'platformJobsApi', emulator: slowB };
		const SC: Provider = { key: 'slowc', credentialType: 'hirebaseApi', emulator: { server: slowC.api, baseUrl: slowC.baseUrl, apiKey: slowC.apiKey } };

		// ---- jobs: one finished before n8n starts, one finishing while it runs, one finishing while it is down
		const HOUR = 3_600_000;
		const pJobs = [platform.createJob({ queuedMs: 0, runMs: 0 }), platform.createJob({ queuedMs: 0, runMs: HOUR }), platform.createJob({ queuedMs: 0, runMs: HOUR })];
		const hJobs = [hirebase.createTask({ queuedMs: 0, processingMs: 0 }), hirebase.createTask({ queuedMs: 0, processingMs: HOUR }), hirebase.createTask({ queuedMs: 0, processingMs: HOUR })];
		const dJobs = [hasData.createJob({ queuedMs: 0, runMs: 0 }), hasData.createJob({ queuedMs: 0, runMs: HOUR }), hasData.createJob({ queuedMs: 0, runMs: HOUR })];
		const squid = lobstr.addSquid('e2e squid');
		// Runs finished before the trigger is switched on: never fire (expectOnce flags any unexpected id).
		lobstr.addFinishedRun(squid, 600_000);
		lobstr.addFinishedRun(squid, 300_000);
		const lRuns = [lobstr.addRun(squid, { pendingMs: 0, runningMs: HOUR })];
		const finishPlatform = (e: PlatformJobsEmulator, id: string) => {
			const job = e.jobs.get(id)!;
			job.plan.queuedMs = 0;
			job.plan.runMs = Math.max(0, Date.now() - job.createdAt - 1);
		};
		const finishHirebase = (e: HirebaseEmulator, id: string) => {
			const task = (e.tasks as Map<string, any>).get(id)!;
			task.plan.queuedMs = 0;
			task.plan.processingMs = Math.max(0, Date.now() - task.createdAt - 1);
		};
		const finishHasData = (e: HasDataEmulator, id: string) => {
			const job = e.jobs.get(id)!;
			job.plan.queuedMs = 0;
			job.plan.runMs = Math.max(0, Date.now() - job.createdAt - 1);
		};
		// Overlap trials: 2 jobs each, finishing 1–8 s into the slow phase.
		const trialJobs = {
			a: Array.from({ length: 2 }, () => slowA.createJob({ queuedMs: 0, runMs: HOUR })),
			b: Array.from({ length: 2 }, () => slowB.createJob({ queuedMs: 0, runMs: HOUR })),
			c: Array.from({ length: 2 }, () => slowC.createTask({ queuedMs: 0, processingMs: HOUR })),
		};
		// The webhook trigger's jobs: ten finished jobs (integer ids).
		const hookJobs = Array.from({ length: 10 }, () => hook.createJob({ queuedMs: 0, runMs: 0, rows: 2 }));

		const workflows = [
			workflow('e2eTrigPlatform1', P, 'platformJobsTrigger', { pollTimes: EVERY_5_SECONDS, jobIds: pJobs.join(', '), outcome: 'any' }),
			workflow('e2eTrigHirebase1', H, 'hirebaseTrigger', { pollTimes: EVERY_5_SECONDS, taskIds: hJobs.join(', '), outcome: 'any' }),
			workflow('e2eTrigHasData01', D, 'hasDataTrigger', { pollTimes: EVERY_5_SECONDS, jobIds: dJobs.join(', '), outcome: 'any' }),
			workflow('e2eTrigLobstr001', L, 'lobstrTrigger', { pollTimes: EVERY_5_SECONDS, watch: 'selected', squidIds: [squid], outcome: 'any' }),
			workflow('e2eTrigHookHD001', W, 'hasDataWebhookTrigger', { fetchJob: true, outcome: 'any', callbackHeaderName: SECRET_HEADER, secretValue: SECRET }, { webhookId: HOOK_ID }),
			workflow('e2eTrigSlowA0001', SA, 'platformJobsTrigger', { pollTimes: EVERY_5_SECONDS, jobIds: trialJobs.a.join(', '), outcome: 'any' }),
			workflow('e2eTrigSlowB0001', SB, 'platformJobsTrigger', { pollTimes: EVERY_5_SECONDS, jobIds: trialJobs.b.join(', '), outcome: 'any' }),
			workflow('e2eTrigSlowC0001', SC, 'hirebaseTrigger', { pollTimes: EVERY_5_SECONDS, taskIds: trialJobs.c.join(', '), outcome: 'any' }),
		];

		// ---- n8n ---------------------------------------------------------------
		const setupStart = Date.now();
		const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-triggers-'));
		n8n = new N8n(installDir, { runDir, outputDir, port: await freePort() });
		const n = n8n;
		await n.importCredentials([P, H, L, D, W, SA, SB, SC].map(credentialOf));
		const wfDir = path.join(runDir, 'workflows');
		fs.mkdirSync(wfDir);
		for (const wf of workflows) fs.writeFileSync(path.join(wfDir, `${wf.id}.json`), JSON.stringify(wf));
		await n.cliOk(['import:workflow', '--separate', `--input=${wfDir}`]);
		log('triggers', `imported ${workflows.length} workflows in ${secs(Date.now() - setupStart)}`);

		const startedAt = Date.now();
		await n.start();
		log('triggers', `n8n started on ${n.url} in ${secs(Date.now() - startedAt)}`);
		// Publishing runs each trigger's activation poll before it answers.
		const publishStart = Date.now();
		for (const wf of workflows) {
			const current = await n.rest('GET', `/workflows/${wf.id}`);
			await n.rest('POST', `/workflows/${wf.id}/activate`, { versionId: current.versionId });
		}
		log('triggers', `published ${workflows.length} workflows in ${secs(Date.now() - publishStart)}`);

		// Jobs finishing while n8n polls.
		finishPlatform(platform, pJobs[1]);
		finishHirebase(hirebase, hJobs[1]);
		finishHasData(hasData, dJobs[1]);
		lobstr.finishNow(lRuns[0]);
		// The slow trials: answers slower than the poll interval, 20 % 503 and 10 % 429 on reads.
		for (const server of slowServers) {
			server.latencyMs = 6000;
			server.randomFaults = [
				{ rate: 0.2, status: 503, method: 'GET' },
				{ rate: 0.1, status: 429, method: 'GET', headers: { 'Retry-After': '2' } },
			];
		}
		const slowSince = Date.now();
		const timers = [
			...trialJobs.a.map((id, i) => setTimeout(() => finishPlatform(slowA, id), 1000 + i * 7000)),
			...trialJobs.b.map((id, i) => setTimeout(() => finishPlatform(slowB, id), 3000 + i * 6000)),
			...trialJobs.c.map((id, i) => setTimeout(() => finishHirebase(slowC, id), 2000 + i * 6500)),
		];
		void timers;

		const logErrors = n.loadErrors();
		await test('n8n logs no error loading the package', async () => assert(logErrors.length === 0, logErrors.join('\n')));

		/** Job ids each execution of a workflow started with (the trigger's items), oldest first. */
		const firedBy = async (workflowId: string): Promise<string[][]> => {
			const list = (await n.executions(workflowId)).filter((e) => e.status !== 'running' && e.status !== 'new');
			const out: Array<{ id: number; jobs: string[] }> = [];
			for (const e of list) {
				const full = await n.rest('GET', `/executions/${e.id}`);
				out.push({ id: Number(e.id), jobs: nodeItems(decodeExecutionData(installDir, full.data), 'Trigger').map((j) => String(j.id)) });
			}
			return out.sort((a, b) => a.id - b.id).map((e) => e.jobs);
		};
		const countsOf = (fired: string[][]) => {
			const counts = new Map<string, number>();
			for (const id of fired.flat()) counts.set(id, (counts.get(id) ?? 0) + 1);
			return counts;
		};
		const expectOnce = (label: string, fired: string[][], expected: string[]) => {
			const counts = countsOf(fired);
			const wrong = expected.filter((id) => counts.get(id) !== 1).map((id) => `${id}×${counts.get(id) ?? 0}`);
			const extra = [...counts.keys()].filter((id) => !expected.includes(id));
			assert(wrong.length === 0 && extra.length === 0, `${label}: each job must fire exactly once; got ${JSON.stringify(fired)} (wrong: ${wrong.join(', ') || '—'}; unexpected: ${extra.join(', ') || '—'})`);
		};
		const polled: Array<{ label: string; id: string; before: string[]; after: string[] }> = [
			{ label: 'Platform Jobs Trigger', id: 'e2eTrigPlatform1', before: pJobs.slice(0, 2), after: pJobs },
			{ label: 'Hirebase Trigger', id: 'e2eTrigHirebase1', before: hJobs.slice(0, 2), after: hJobs },
			{ label: 'HasData Trigger (polling)', id: 'e2eTrigHasData01', before: dJobs.slice(0, 2), after: dJobs },
			// Lobstr: runs that finished before activation never fire.
			{ label: 'Lobstr Trigger', id: 'e2eTrigLobstr001', before: lRuns, after: lRuns },
		];

		// ---- the HasData webhook: repeated deliveries ------------------------------
		const hookUrl = `${n.url}/webhook/${HOOK_ID}/hasdata`;
		const deliver = async (jobId: string | number, headers: Record<string, string> = { [SECRET_HEADER]: SECRET }) => {
			const res = await fetch(hookUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'user-agent': 'HasData-Webhooks/1.0', ...headers },
				body: JSON.stringify({ event: 'scraper.job.finished', jobId, jobStatus: 'finished', timestamp: new Date().toISOString() }),
			});
			await res.arrayBuffer();
			return res.status;
		};
		await waitFor('the webhook to be registered', 30_000, async () => ((await deliver(0, {})) === 404 ? undefined : true), 500);
		const repeatedly = async (id: string) => {
			const statuses: number[] = [];
			// HasData's repeats 2 s apart (as integer and as string)…
			for (const form of [Number(id), id, Number(id)]) {
				statuses.push(await deliver(form));
				await sleep(2000);
			}
			// …and five at the same moment.
			statuses.push(...(await Promise.all(Array.from({ length: 5 }, (_, k) => deliver(k % 2 ? id : Number(id))))));
			return statuses;
		};

		const webhookTests = async () => {
		await test('HasData Webhook Trigger: a call without the secret header is refused with 401 and starts nothing', async () => {
			assert((await deliver(Number(hookJobs[0]), {})) === 401, 'no header: expected 401');
			assert((await deliver(Number(hookJobs[0]), { [SECRET_HEADER]: 'guess' })) === 401, 'wrong secret: expected 401');
		});

		await test('HasData Webhook Trigger: deliveries of the same finished job 2 s apart and at the same moment start one execution, for the 1st job and the 10th', async () => {
			const first = await repeatedly(hookJobs[0]);
			for (const id of hookJobs.slice(1, 9)) assert((await deliver(Number(id))) === 200, `delivery of ${id} refused`);
			const tenth = await repeatedly(hookJobs[9]);
			log('triggers', `  answers to the 1st job's 8 deliveries: ${first.join(' ')}; the 10th's: ${tenth.join(' ')}`);
			const fired = await waitFor('ten executions', 60_000, async () => {
				const list = await firedBy('e2eTrigHookHD001');
				return list.length >= 10 ? list : undefined;
			});
			await sleep(3000);
			const final = await firedBy('e2eTrigHookHD001');
			log('triggers', `  webhook executions: ${final.length} for ${new Set(final.flat()).size} jobs`);
			expectOnce('HasData Webhook Trigger', final, hookJobs);
			assert(fired.length <= 10, `${fired.length} executions`);
		});

		};

		// ---- polling triggers: before the restart ---------------------------------
		const pollTests = async () => {
		for (const t of polled) {
			await test(`${t.label}: jobs finishing before and while n8n polls every 5 s fire exactly once`, async () => {
				const fired = await waitFor(`executions for ${t.before.join(', ')}`, 60_000, async () => {
					const list = await firedBy(t.id);
					return t.before.every((id) => list.flat().includes(id)) ? list : undefined;
				});
				await sleep(6000); // more polls: nothing may fire again
				const final = await firedBy(t.id);
				expectOnce(t.label, final, t.before);
				assert(fired.length <= final.length, 'executions vanished');
			});
		}

		};

		const overlapTest = () => test('overlapping polls: APIs slower than the 5 s poll interval, 20 % 503 and 10 % 429 — each job fires exactly once (3 trials)', async () => {
			const trials = [
				{ label: 'trial 1 (Platform Jobs)', id: 'e2eTrigSlowA0001', jobs: trialJobs.a },
				{ label: 'trial 2 (Platform Jobs)', id: 'e2eTrigSlowB0001', jobs: trialJobs.b },
				{ label: 'trial 3 (Hirebase)', id: 'e2eTrigSlowC0001', jobs: trialJobs.c },
			];
			const done = await waitFor('every trial job to fire', 240_000, async () => {
				const all = await Promise.all(trials.map((t) => firedBy(t.id)));
				return trials.every((t, i) => t.jobs.every((id) => all[i].flat().includes(id))) ? all : undefined;
			}, 2000);
			await sleep(15_000); // polls still running with the old reads must not emit them again
			const final = await Promise.all(trials.map((t) => firedBy(t.id)));
			const faults = slowServers.map((s) => `${s.faultsSent[503] ?? 0}×503 ${s.faultsSent[429] ?? 0}×429 of ${s.requests.length} requests`);
			log('triggers', `  trials: ${trials.map((t, i) => `${t.label}: ${final[i].length} executions for ${t.jobs.length} jobs (${faults[i]})`).join('; ')}`);
			for (const [i, server] of slowServers.entries()) {
				log('triggers', `  trial ${i + 1} requests at (s after the slow phase began): ${server.requests.filter((r) => r.at >= slowSince).map((r) => ((r.at - slowSince) / 1000).toFixed(1)).join(' ')}`);
			}
			trials.forEach((t, i) => expectOnce(t.label, final[i], t.jobs));
			assert(done.length === 3, 'trials');
		});

		// The three groups at once: each has its own workflows and emulators.
		await Promise.all([webhookTests(), pollTests(), overlapTest()]);

		// ---- restart ------------------------------------------------------------------
		await test('after an n8n restart: jobs that finished while n8n was down fire once, nothing fires again (all triggers)', async () => {
			await n.stop();
			finishPlatform(platform, pJobs[2]);
			finishHirebase(hirebase, hJobs[2]);
			finishHasData(hasData, dJobs[2]);
			const downRun = lobstr.addRun(squid, { pendingMs: 0, runningMs: 1, uploadingMs: 1 });
			polled[3].after = [...lRuns, downRun];
			for (const server of slowServers) {
				server.latencyMs = 0;
				server.randomFaults = [];
			}
			log('triggers', '  n8n stopped; a job per trigger finished meanwhile; restarting...');
			await sleep(100);
			const t = Date.now();
			await n.start();
			log('triggers', `  n8n restarted in ${secs(Date.now() - t)}`);
			for (const p of polled) {
				await waitFor(`${p.label}: the job finished while n8n was down`, 60_000, async () => {
					const list = await firedBy(p.id);
					return p.after.every((id) => list.flat().includes(id)) ? true : undefined;
				});
			}
			// Several more polls, and HasData repeating its calls for the 1st and 10th job at once.
			const repeats = await Promise.all([deliver(Number(hookJobs[0])), deliver(hookJobs[0]), deliver(Number(hookJobs[9])), deliver(hookJobs[9])]);
			assert(repeats.every((s) => s === 200), `answers ${repeats}`);
			await sleep(11_000);
			for (const p of polled) expectOnce(`${p.label} after restart`, await firedBy(p.id), p.after);
			expectOnce('HasData Webhook Trigger after restart', await firedBy('e2eTrigHookHD001'), hookJobs);
			const trials: Array<[string, string[]]> = [['e2eTrigSlowA0001', trialJobs.a], ['e2eTrigSlowB0001', trialJobs.b], ['e2eTrigSlowC0001', trialJobs.c]];
			for (const [id, jobs] of trials) expectOnce(`${id} after restart`, await firedBy(id), jobs);
		});
	} catch (error) {
		results.push({ name: 'suite setup', ok: false, ms: 0, error: (error as Error).stack ?? String(error) });
		log('triggers', `setup failed: ${(error as Error).stack}`);
	} finally {
		await n8n?.stop();
		await Promise.all(emulators.map((e) => e.stop().catch(() => undefined)));
	}

	const code = report(n8n?.logFile);
	process.stdout.write(`e2e triggers: ${secs(Date.now() - suiteStart)} in all\n`);
	return code;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
