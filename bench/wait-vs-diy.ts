/**
 * Benchmark: waiting for 50 Platform jobs of different lengths (0.2 s … 5.1 s),
 * side by side with the loops an n8n user builds by hand instead:
 *
 *  1. this package — Platform Jobs "Wait for Completion", all 50 items at once
 *     (the real node class, over real HTTP to the emulator);
 *  2. DIY "IF loop" — HTTP Request (GET every unfinished job) → IF done → else
 *     Wait → back to the HTTP Request: the well-built hand-made loop;
 *  3. DIY "Loop Over Items" — one job at a time (batch size 1), each polled
 *     until done before the next starts: the loop most tutorials show.
 *
 * Every strategy uses the same 1 s poll interval and its own fresh set of jobs
 * created at the same moment. The DIY loops are reproduced with plain HTTP
 * calls, i.e. without n8n's per-node overhead, which only flatters them.
 *
 *   npm run bench:wait
 */
import axios from 'axios';

import { PlatformJobsApi } from '../credentials/PlatformJobsApi.credentials';
import { PlatformJobs } from '../nodes/PlatformJobs/PlatformJobs.node';
import { PlatformJobsEmulator } from '../test/emulators/platformJobs';
import { runNode } from '../test/helpers/n8nContext';

const JOBS = 50;
const INTERVAL_MS = 1000;
const lengths = Array.from({ length: JOBS }, (_, i) => 200 + i * 100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
	strategy: string;
	wallS: number;
	requests: number;
	allSucceeded: boolean;
}

async function main() {
	const emulator = new PlatformJobsEmulator();
	emulator.rateLimit.limit = 1_000_000; // measure the loops, not the hourly quota
	await emulator.start();
	const headers = { Authorization: `Bearer ${emulator.apiKey}` };
	const read = async (id: string) => (await axios.get(`${emulator.baseUrl}/jobs/${id}`, { headers })).data.data.status as string;
	const final = (s: string) => s === 'completed' || s === 'failed' || s === 'cancelled';
	const newJobs = () => lengths.map((runMs) => emulator.createJob({ queuedMs: 0, runMs }));
	const rows: Row[] = [];

	async function measure(strategy: string, run: (ids: string[]) => Promise<boolean>) {
		const ids = newJobs();
		const before = emulator.server.count('GET');
		const started = Date.now();
		const allSucceeded = await run(ids);
		rows.push({ strategy, wallS: (Date.now() - started) / 1000, requests: emulator.server.count('GET') - before, allSucceeded });
	}

	await measure('this package: Wait for Completion (50 items)', async (ids) => {
		const items = await runNode({
			node: new PlatformJobs(),
			parameters: { resource: 'job', operation: 'waitForCompletion', jobId: (i: number) => ids[i], pollInterval: INTERVAL_MS / 1000, timeout: 120 },
			credentials: { platformJobsApi: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey } },
			credentialTypes: [new PlatformJobsApi()],
			items: ids.map(() => ({})),
		});
		return items.every((i) => i.json.status === 'succeeded');
	});

	await measure('DIY IF loop: HTTP Request → IF → Wait 1 s', async (ids) => {
		let pending = ids;
		const statuses = new Map<string, string>();
		for (;;) {
			const read1 = await Promise.all(pending.map(async (id) => [id, await read(id)] as const));
			read1.forEach(([id, s]) => statuses.set(id, s));
			pending = read1.filter(([, s]) => !final(s)).map(([id]) => id);
			if (!pending.length) break;
			await sleep(INTERVAL_MS);
		}
		return ids.every((id) => statuses.get(id) === 'completed');
	});

	await measure('DIY Loop Over Items: one job at a time', async (ids) => {
		let ok = true;
		for (const id of ids) {
			for (;;) {
				const s = await read(id);
				if (final(s)) {
					ok &&= s === 'completed';
					break;
				}
				await sleep(INTERVAL_MS);
			}
		}
		return ok;
	});

	await emulator.stop();
	const pad = (s: string, n: number) => s.padEnd(n);
	console.log(`\n${JOBS} jobs, ${lengths[0] / 1000}–${lengths[JOBS - 1] / 1000} s long (sum ${lengths.reduce((a, b) => a + b, 0) / 1000} s), poll interval ${INTERVAL_MS / 1000} s\n`);
	console.log(`${pad('strategy', 48)} ${pad('wall (s)', 9)} ${pad('GET requests', 13)} all succeeded`);
	for (const r of rows) console.log(`${pad(r.strategy, 48)} ${pad(r.wallS.toFixed(1), 9)} ${pad(String(r.requests), 13)} ${r.allSucceeded}`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
