/**
 * Where the memory of a Hirebase export goes, in a REAL n8n (the pinned 2.41.1):
 * runs the package's and the hand-built workflows like bench/n8n-bench.ts does,
 * but splits the peak by process and looks inside n8n's own process
 * (bench/memory-probe.cjs, loaded with NODE_OPTIONS=--require, samples
 * process.memoryUsage() every 20 ms).
 *
 *   npm run bench:memory
 *   npm run bench:memory -- --cases=jsonl,file --runs=2
 *   npm run bench:memory -- --node-options='|--max-semi-space-size=1'   # each case with and without
 *
 * Columns, all peaks while the execution runs (n8n's start-up and its printing
 * of the run data excluded):
 * - tree: `n8n execute` and its children, what n8n-bench.ts reports;
 * - main: n8n's own process (where the node runs), its RSS and, from inside,
 *   the V8 heap in use and the array buffers (socket chunks) not yet freed;
 * - runner: the JS task runner child, which runs no code in these workflows.
 * "over floor" subtracts the same for a workflow that does nothing (main) or
 * that only waits 6 s (runner: it keeps growing for seconds after n8n starts,
 * so a workflow that ends at once under-counts it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ensureN8n, N8n } from '../scripts/lib/n8n';
import { freePort } from '../scripts/lib/stack';
import { HirebaseEmulator } from '../test/emulators/hirebase';

import { finishedHirebaseExport, lastExecution, rssByPid } from './lib';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const CASES = (arg('cases') ?? 'csv,csv-hand,jsonl,jsonl-hand,file,file-hand').split(',');
const RUNS = Number(arg('runs') ?? 2);
const NODE_OPTIONS = (arg('node-options') ?? '').split('|');
const V8_FLAGS = arg('v8-flags');
const BIG = Number(arg('big') ?? 1_000_000);
const MB = 1024 * 1024;
const PROBE = path.join(__dirname, '..', '..', 'bench', 'memory-probe.cjs');

type NodeJson = { name: string; type: string; typeVersion: number; parameters: Record<string, unknown>; credentials?: Record<string, unknown> };

function workflow(id: string, chain: NodeJson[]) {
	const nodes = chain.map((n, i) => ({ id: `${id}-${i}`, position: [i * 220, 0], ...n }));
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < chain.length; i++) connections[chain[i].name] = { main: [[{ node: chain[i + 1].name, type: 'main', index: 0 }]] };
	return { id, name: `memory: ${id}`, nodes, connections, settings: { executionOrder: 'v1' }, active: false, pinData: {}, tags: [] };
}

interface Peaks {
	ms: number;
	tree: number;
	main: number;
	runner: number;
	heapUsed: number;
	arrayBuffers: number;
}

async function main(): Promise<void> {
	const installDir = ensureN8n();
	const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-memory-out-'));
	const hirebase = new HirebaseEmulator();
	await hirebase.start();
	const task = (id: string, records: number, format: 'json' | 'csv') => finishedHirebaseExport(hirebase, id, records, format);
	const wants = (prefix: string) => CASES.some((c) => c.startsWith(prefix));
	const csv = wants('csv') ? task('mem-csv-100k', 100_000, 'csv') : '';
	const jsonl = wants('jsonl') ? task('mem-jsonl-100k', 100_000, 'json') : '';
	const big = wants('file') ? task('mem-jsonl-big', BIG, 'json') : '';

	const env: Record<string, string> = {};
	const n8n = new N8n(installDir, { outputDir, port: await freePort(), env });
	await n8n.importCredentials([{ id: 'memHirebase', name: 'memHirebase', type: 'hirebaseApi', data: { baseUrl: hirebase.baseUrl, apiKey: hirebase.apiKey } }]);
	const manual: NodeJson = { name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} };
	const nothing: NodeJson = { name: 'Nothing', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };
	const getResults = (taskId: string, resultOptions: Record<string, unknown> = {}): NodeJson => ({
		name: 'Get Results',
		type: 'n8n-nodes-async-jobs.hirebase',
		typeVersion: 1,
		parameters: { resource: 'task', operation: 'getResults', taskId, resultOptions },
		credentials: { hirebaseApi: { id: 'memHirebase', name: 'memHirebase' } },
	});
	const http = (name: string, url: string, options: Record<string, unknown>, extra: Record<string, unknown> = {}): NodeJson => ({
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: { method: 'GET', url, ...extra, options },
	});
	const readTask = (taskId: string) =>
		http('Get Task', `${hirebase.baseUrl}/v2/tasks/${taskId}`, {}, { sendHeaders: true, headerParameters: { parameters: [{ name: 'x-api-key', value: hirebase.apiKey }] } });
	const download = (format: 'file' | 'text') =>
		http('Download', '={{ $json.result.download_url }}', { response: { response: format === 'file' ? { responseFormat: 'file' } : { responseFormat: 'text', outputPropertyName: 'data' } } });
	const workflows: Record<string, ReturnType<typeof workflow>> = {
		floor: workflow('memFloor00000001', [manual, nothing]),
		'floor-wait': workflow('memFloorWait0001', [manual, { name: 'Wait', type: 'n8n-nodes-base.wait', typeVersion: 1.1, parameters: { amount: 6, unit: 'seconds' } }, nothing]),
		csv: workflow('memCsvPackage001', [manual, getResults(csv)]),
		'csv-hand': workflow('memCsvHand000001', [manual, readTask(csv), download('file'), { name: 'Rows', type: 'n8n-nodes-base.extractFromFile', typeVersion: 1, parameters: { operation: 'csv', options: {} } }]),
		jsonl: workflow('memJsonlPackage1', [manual, getResults(jsonl)]),
		'jsonl-hand': workflow('memJsonlHand0001', [
			manual,
			readTask(jsonl),
			download('text'),
			{
				name: 'Rows',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				parameters: { jsCode: "return $input.first().json.data.split('\\n').filter((l) => l.trim()).map((l) => ({ json: JSON.parse(l) }));" },
			},
		]),
		file: workflow('memFilePackage01', [manual, getResults(big, { outputAsFile: true })]),
		'file-hand': workflow('memFileHand00001', [manual, readTask(big), download('file')]),
	};
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-memory-wf-'));
	for (const wf of Object.values(workflows)) fs.writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify(wf));
	await n8n.cliOk(['import:workflow', '--separate', `--input=${dir}`]);

	const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-memory-probe-'));
	const run = async (name: string, nodeOptions: string): Promise<Peaks> => {
		const runDir = fs.mkdtempSync(path.join(probeDir, `${name}-`));
		env.NODE_OPTIONS = `--require ${PROBE} ${nodeOptions}`.trim();
		env.MEMORY_PROBE_DIR = runDir;
		if (V8_FLAGS) env.MEMORY_PROBE_V8_FLAGS = V8_FLAGS;
		const samples: Array<{ at: number; byPid: Map<number, number> }> = [];
		let pid = 0;
		const timer = setInterval(() => pid && samples.push({ at: Date.now(), byPid: rssByPid(pid) }), 25);
		const res = await n8n.execute(workflows[name].id, 900_000, (p) => (pid = p));
		clearInterval(timer);
		// When the execution ran, from n8n's database (the printed run data of 100,000 items is cut short).
		const execution = lastExecution(n8n);
		if (execution?.status !== 'success') throw new Error(`${name} did not succeed (${execution?.status}):\n${res.output.slice(-2000)}`);
		const stopped = execution.stoppedAt + 25;
		const during = samples.filter((s) => s.at <= stopped);
		const peaks: Peaks = { ms: execution.stoppedAt - execution.startedAt, tree: 0, main: 0, runner: 0, heapUsed: 0, arrayBuffers: 0 };
		for (const s of during) {
			let tree = 0;
			for (const [p, rss] of s.byPid) {
				tree += rss;
				if (p === pid) peaks.main = Math.max(peaks.main, rss);
				// The task runner: the one big child (the others are a few MB of shell and helpers).
				else if (rss > 20 * MB) peaks.runner = Math.max(peaks.runner, rss);
			}
			peaks.tree = Math.max(peaks.tree, tree);
		}
		const probe = path.join(runDir, `${pid}.json`);
		if (fs.existsSync(probe)) {
			for (const s of (JSON.parse(fs.readFileSync(probe, 'utf8')) as { samples: Array<Record<string, number>> }).samples) {
				if (s.at > stopped) continue;
				peaks.heapUsed = Math.max(peaks.heapUsed, s.heapUsed);
				peaks.arrayBuffers = Math.max(peaks.arrayBuffers, s.arrayBuffers);
			}
		}
		return peaks;
	};

	const median = (values: number[]) => {
		const sorted = [...values].sort((a, b) => a - b);
		const mid = Math.floor(sorted.length / 2);
		return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
	};
	const medianPeaks = (all: Peaks[]): Peaks => ({
		ms: median(all.map((p) => p.ms)),
		tree: median(all.map((p) => p.tree)),
		main: median(all.map((p) => p.main)),
		runner: median(all.map((p) => p.runner)),
		heapUsed: median(all.map((p) => p.heapUsed)),
		arrayBuffers: median(all.map((p) => p.arrayBuffers)),
	});
	const mb = (bytes: number, sign = false) => `${sign && bytes >= 0 ? '+' : ''}${(bytes / MB).toFixed(0)}`;

	console.log(`\n## Where the memory goes — n8n ${n8n.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, medians of ${RUNS} runs (MB)\n`);
	console.log('| workflow | NODE_OPTIONS | execution | tree over floor | main over floor | runner over floor | main RSS | V8 heap used | array buffers |');
	console.log('|---|---|---|---|---|---|---|---|---|');
	for (const nodeOptions of NODE_OPTIONS) {
		const floorRuns: Peaks[] = [];
		const waitRuns: Peaks[] = [];
		for (let r = 0; r < RUNS; r++) {
			floorRuns.push(await run('floor', nodeOptions));
			waitRuns.push(await run('floor-wait', nodeOptions));
		}
		const floor = medianPeaks(floorRuns);
		const floorWait = medianPeaks(waitRuns);
		// The tree's floor: the waiting workflow's (main as idle as the empty one's, the runner fully started).
		const treeFloor = floorWait.tree;
		const row = (name: string, p: Peaks) =>
			console.log(
				`| ${name} | ${nodeOptions || '(none)'} | ${(p.ms / 1000).toFixed(2)} s | ${mb(p.tree - treeFloor, true)} | ${mb(p.main - floor.main, true)} | ${mb(p.runner - floorWait.runner, true)} | ${mb(p.main)} | ${mb(p.heapUsed)} | ${mb(p.arrayBuffers)} |`,
			);
		row('floor: does nothing', floor);
		row('floor: waits 6 s', floorWait);
		for (const name of CASES) {
			const all: Peaks[] = [];
			for (let r = 0; r < RUNS; r++) all.push(await run(name, nodeOptions));
			row(name, medianPeaks(all));
		}
	}
	await hirebase.stop();
	fs.rmSync(dir, { recursive: true, force: true });
	fs.rmSync(probeDir, { recursive: true, force: true });
	fs.rmSync(n8n.runDir, { recursive: true, force: true });
	fs.rmSync(outputDir, { recursive: true, force: true });
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
