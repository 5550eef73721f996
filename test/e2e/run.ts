/**
 * End-to-end suite: the built package in a real, pinned n8n (scripts/install-n8n.sh),
 * against the provider emulators. Run by `npm test` (after jest) or `npm run test:e2e`.
 *
 * Parts, timed separately:
 *  1. install/reuse n8n, build the package, start emulators, import credentials
 *     and every example workflow (examples/) plus the e2e-only ones;
 *  2. `n8n execute` every "run" example: job started/rerun → waited → rows →
 *     Convert to File (XLSX) → written to disk; rows checked in n8n's output;
 *  3. `n8n start` with the example trigger workflow published: jobs finishing
 *     over several polls fire one execution each; n8n is restarted and the
 *     jobs that already fired do not fire again; meanwhile a long wait is
 *     stopped through n8n's REST API and must end promptly.
 * Exits non-zero on any failure; the last line reads "N passed, N failed".
 */
import fs from 'node:fs';
import path from 'node:path';

import { log, secs, sleep } from '../../scripts/lib/log';
import { buildPackage, ensureN8n, N8N_VERSION, REPO } from '../../scripts/lib/n8n';
import type { N8n } from '../../scripts/lib/n8n';
import { allExamples, EXAMPLES_DIR, executionError, freePort, nodeBinaries, nodeItems, prepareN8n, startEmulators, stopEmulators } from '../../scripts/lib/stack';
import type { BinaryOutput, StartedProvider } from '../../scripts/lib/stack';
import { assert, assertXlsx, decodeExecutionData, part, pollingEvery5Seconds, report, results, test, waitFor } from './lib';
import { parkedCases } from './parked';

const TRIGGER_WORKFLOW = 'asyncJobsPlatTr1';
const STOP_WORKFLOW = 'asyncJobsE2eStop';
const WATCHED = ['job_demo_watch_1', 'job_demo_watch_2', 'job_demo_watch_3'];

async function main(): Promise<number> {
	const outputDir = path.join(REPO, '.n8n-e2e', 'output');
	fs.rmSync(outputDir, { recursive: true, force: true });
	let started: StartedProvider[] = [];
	let n8n: N8n | undefined;
	let installDir = '';
	try {
		await part('setup (install/reuse n8n, build, import)', async () => {
			log('e2e', `n8n ${N8N_VERSION}: installing or reusing (first time: about 5 minutes)...`);
			installDir = ensureN8n();
			buildPackage();
			started = await startEmulators(false);
			n8n = await prepareN8n(installDir, started, { outputDir, port: await freePort() }, [
				path.join(REPO, 'test', 'e2e', 'workflows', 'platform-jobs-stop-wait.json'),
			]);
		}, true);
		const n = n8n!;

		await part('workflows via n8n execute', async () => {
			for (const { provider, example } of allExamples()) {
				if (example.kind !== 'run') continue;
				await test(`${provider.title}: "${example.title}" gives ${example.expectRows} rows and an XLSX file`, async () => {
					const res = await n.execute(example.id);
					assert(res.ok, `n8n execute failed: ${executionError(res.data) ?? res.output.split('\n').slice(-20).join('\n')}`);
					const job = nodeItems(res.data, example.jobNode!)[0];
					assert(job?.status === 'succeeded' && job.done === true, `job node output: ${JSON.stringify(job)}`);
					const rows = nodeItems(res.data, example.rowsNode!);
					assert(rows.length === example.expectRows, `expected ${example.expectRows} rows from "${example.rowsNode}", got ${rows.length}`);
					assert(rows.every((r) => r && typeof r === 'object' && Object.keys(r).length > 0), 'a row is empty');
					for (const key of example.rowKeys ?? []) {
						assert(rows.every((r) => key in r), `a row from "${example.rowsNode}" lacks "${key}": ${JSON.stringify(rows.find((r) => !(key in r)))}`);
					}
					assertXlsx(n, nodeBinaries(res.data, example.fileNode!), example.fileNode!);
				});
			}
		});

		for (const { entry, emulator } of started) {
			if (!emulator.throttled) continue;
			await test(`${entry.title}: the workflows stayed under the API's rate limits (no 429)`, async () => {
				const throttled = emulator.throttled!();
				assert(throttled === 0, `the emulator refused ${throttled} request(s) with 429`);
			});
		}

		const loadErrorsBefore = n.loadErrors();
		await test('n8n logs no error loading the package (CLI runs)', async () => {
			assert(loadErrorsBefore.length === 0, loadErrorsBefore.join('\n'));
		});

		await part('running n8n: trigger across restart + stop a wait', async () => {
			const platform = started.find((s) => s.entry.key === 'platformJobs');
			if (!platform?.emulator.createTimedJob) {
				results.push({ name: 'trigger and stop tests (need the Platform emulator)', ok: false, ms: 0, error: 'not registered' });
				return;
			}
			const em = platform.emulator;
			// Job 1 is finished before n8n starts (fires on the activation poll),
			// job 2 finishes ~20 s later (fires on a later poll), job 3 only
			// after the restart. The long job is for the stop test.
			em.createTimedJob!(WATCHED[0], 1, 2);
			em.createTimedJob!(WATCHED[1], 60 * 60_000, 3);
			em.createTimedJob!(WATCHED[2], 60 * 60_000, 4);
			em.createTimedJob!('job_e2e_long', 60 * 60_000, 1);
			// The example polls every minute; here it polls every 5 s (legitimate n8n
			// configuration, see lib.ts), so the test waits seconds, not minutes.
			await n.importWorkflow(pollingEvery5Seconds(n, path.join(EXAMPLES_DIR, 'platform-jobs-trigger-to-xlsx.json')));
			await n.cliOk(['publish:workflow', `--id=${TRIGGER_WORKFLOW}`]);
			await n.cliOk(['publish:workflow', `--id=${STOP_WORKFLOW}`]);

			const t = Date.now();
			await n.start();
			log('e2e', `n8n started on ${n.url} in ${secs(Date.now() - t)}`);
			// Job 2 finishes after the activation poll, before the next minute poll.
			em.createTimedJob!(WATCHED[1], 15_000, 3);

			const firedJobs = async (): Promise<Array<{ id: string; jobs: string[]; status: string; files: BinaryOutput[] }>> => {
				const list = (await n.executions(TRIGGER_WORKFLOW)).filter((e) => e.status !== 'running' && e.status !== 'new');
				const out = [];
				for (const e of list) {
					const full = await n.rest('GET', `/executions/${e.id}`);
					const data = decodeExecutionData(installDir, full.data);
					out.push({
						id: String(e.id),
						status: e.status,
						jobs: nodeItems(data, 'Platform Jobs Trigger').map((j) => String(j.id)),
						files: nodeBinaries(data, 'Convert to XLSX'),
					});
				}
				return out.sort((a, b) => Number(a.id) - Number(b.id));
			};

			await test('n8n (start) logs no error loading the package', async () => {
				const errors = n.loadErrors();
				assert(errors.length === 0, errors.join('\n'));
			});

			await test('a wait stopped from n8n ends promptly', async () => {
				const before = em.requestsAbout!('job_e2e_long');
				// Published workflows are activated just after the server answers: retry 404s.
				await waitFor('the webhook of the published workflow', 30_000, async () => {
					const hook = await fetch(`${n.url}/webhook/async-jobs-e2e-stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
					if (hook.status === 404) return undefined;
					assert(hook.ok, `webhook answered ${hook.status}: ${await hook.text()}`);
					return true;
				}, 500);
				const running = await waitFor('a running execution of the wait workflow', 30_000, async () => {
					const list = await n.executions(STOP_WORKFLOW);
					return list.find((e) => e.status === 'running');
				}, 500);
				await waitFor('the node to poll the job', 15_000, async () => (em.requestsAbout!('job_e2e_long') > before ? true : undefined), 250);
				const stopAt = Date.now();
				await n.rest('POST', `/executions/${running.id}/stop`);
				const ended = await waitFor('the execution to end', 20_000, async () => {
					const e = (await n.executions(STOP_WORKFLOW)).find((x) => String(x.id) === String(running.id));
					return e && e.status !== 'running' && e.status !== 'new' ? e : undefined;
				}, 250);
				const tookMs = Date.now() - stopAt;
				log('e2e', `  execution ${running.id} ended as "${ended.status}" ${secs(tookMs)} after the stop request`);
				assert(['canceled', 'cancelled', 'crashed', 'error'].includes(ended.status), `unexpected status ${ended.status}`);
				assert(tookMs < 10_000, `took ${secs(tookMs)} to stop (timeout was 600 s)`);
				// The node itself must stop polling the API, not just be marked stopped.
				await sleep(1000);
				const afterStop = em.requestsAbout!('job_e2e_long');
				await sleep(6000);
				const later = em.requestsAbout!('job_e2e_long');
				assert(later === afterStop, `the node kept polling after the stop: ${later - afterStop} more requests in 6 s (poll interval 2 s)`);
			});

			await test('trigger: jobs finishing over several polls fire one execution each', async () => {
				const first = await waitFor('the execution for job 1 (activation poll)', 90_000, async () => {
					const fired = await firedJobs();
					return fired.length >= 1 ? fired : undefined;
				});
				log('e2e', `  poll 1 fired ${JSON.stringify(first.map((f) => f.jobs))}`);
				const second = await waitFor('the execution for job 2 (a later poll)', 100_000, async () => {
					const fired = await firedJobs();
					return fired.length >= 2 ? fired : undefined;
				});
				log('e2e', `  then ${JSON.stringify(second.map((f) => f.jobs))}`);
				assert(second.length === 2, `expected 2 executions, got ${second.length}`);
				assert(JSON.stringify(second.map((f) => f.jobs)) === JSON.stringify([[WATCHED[0]], [WATCHED[1]]]), `executions fired ${JSON.stringify(second.map((f) => f.jobs))}`);
				assert(second.every((f) => f.status === 'success'), `statuses ${second.map((f) => f.status)}`);
				for (const f of second) {
					assertXlsx(n, f.files, `Convert to XLSX (execution ${f.id})`);
				}
			});

			await test('trigger: after an n8n restart, jobs that fired do not fire again', async () => {
				await n.stop();
				log('e2e', '  n8n stopped; job 3 now finishes; restarting n8n...');
				em.createTimedJob!(WATCHED[2], 1, 4);
				await sleep(200);
				await n.start();
				const fired = await waitFor('the execution for job 3 after the restart', 100_000, async () => {
					const list = await firedJobs();
					return list.length >= 3 ? list : undefined;
				});
				// Give a re-fire of jobs 1 and 2 (if state were lost) time to show up.
				await sleep(5000);
				const final = await firedJobs();
				log('e2e', `  executions after restart: ${JSON.stringify(final.map((f) => f.jobs))}`);
				assert(fired.length >= 3, 'no third execution');
				assert(
					JSON.stringify(final.map((f) => f.jobs)) === JSON.stringify([[WATCHED[0]], [WATCHED[1]], [WATCHED[2]]]),
					`expected one execution per job, got ${JSON.stringify(final.map((f) => f.jobs))}`,
				);
			});
		});

		await part('running n8n: parked executions (durable loops, HasData callback) across restarts', async () => {
			await parkedCases({ n, installDir, started });
		});
	} catch (error) {
		results.push({ name: 'suite setup', ok: false, ms: 0, error: (error as Error).stack ?? String(error) });
		log('e2e', `setup failed: ${(error as Error).stack}`);
	} finally {
		await n8n?.stop();
		await stopEmulators(started);
	}

	return report(n8n?.logFile);
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
