/**
 * Benchmark: a 100,000-record Hirebase export turned into n8n items by the real
 * Hirebase node, against the emulator over real HTTP (API host + separate
 * storage host). For each file shape it runs Create Export (waiting), then Get
 * Results, in a fresh child process so the peaks of one run do not leak into the
 * next, and prints time and peak memory.
 *
 *   npm run bench:hirebase            # all shapes, 100,000 records
 *   npm run bench:hirebase -- 20000   # another size
 *
 * Memory is sampled every 10 ms (process.memoryUsage()); "over baseline" is the
 * peak minus what the process used after the emulator had built the file, i.e.
 * what the node itself (download buffer + decoded text + the items) costs.
 */
import { fork } from 'node:child_process';

import { retryPolicy } from '../nodes/shared/transport';
import { HirebaseEmulator } from '../test/emulators/hirebase';
import type { JsonShape } from '../test/emulators/hirebase';
import { runNode } from '../test/helpers/n8nContext';
import { Hirebase } from '../nodes/Hirebase/Hirebase.node';
import { HirebaseApi } from '../credentials/HirebaseApi.credentials';

type Shape = 'jsonl' | 'array' | 'csv';
const SHAPES: Shape[] = ['jsonl', 'array', 'csv'];
const MB = 1024 * 1024;

interface Figures {
	shape: Shape;
	records: number;
	fileMb: number;
	waitSeconds: number;
	getResultsSeconds: number;
	recordsPerSecond: number;
	baselineRssMb: number;
	peakRssMb: number;
	peakHeapMb: number;
	rssOverBaselineMb: number;
	heapOverBaselineMb: number;
}

async function runOne(shape: Shape, records: number): Promise<Figures> {
	retryPolicy.baseDelayMs = 20;
	const emulator = new HirebaseEmulator();
	await emulator.start();
	try {
		const format = shape === 'csv' ? 'csv' : 'json';
		emulator.exportPlan = () => ({ queuedMs: 100, processingMs: 400, recordCount: records, jsonShape: (shape === 'csv' ? 'jsonl' : shape) as JsonShape });
		const base = {
			node: new Hirebase(),
			credentials: { hirebaseApi: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey } },
			credentialTypes: [new HirebaseApi()],
		};

		const waitStart = Date.now();
		const [task] = await runNode({
			...base,
			parameters: { resource: 'task', operation: 'createExport', format, maxRecords: records, filters: { jobTitles: 'Site Engineer' }, waitForCompletion: true, pollInterval: 0.2, timeout: 60 },
		});
		const waitSeconds = (Date.now() - waitStart) / 1000;
		if (task.json.status !== 'succeeded') throw new Error(`export did not succeed: ${JSON.stringify(task.json)}`);
		const fileMb = emulator.fileOf(String(task.json.id)).length / MB;

		gc();
		const baseline = process.memoryUsage();
		let peakRss = baseline.rss;
		let peakHeap = baseline.heapUsed;
		const sample = () => {
			const m = process.memoryUsage();
			peakRss = Math.max(peakRss, m.rss);
			peakHeap = Math.max(peakHeap, m.heapUsed);
		};
		const timer = setInterval(sample, 10);
		const started = process.hrtime.bigint();
		const items = await runNode({ ...base, parameters: { resource: 'task', operation: 'getResults', taskId: task.json.id } });
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		sample();
		clearInterval(timer);
		if (items.length !== records) throw new Error(`expected ${records} items, got ${items.length}`);
		if (items[records - 1].json.job_id !== `job-${records - 1}`) throw new Error('last item is wrong');

		const round = (n: number) => Math.round(n * 10) / 10;
		return {
			shape,
			records: items.length,
			fileMb: round(fileMb),
			waitSeconds: round(waitSeconds),
			getResultsSeconds: Math.round(seconds * 1000) / 1000,
			recordsPerSecond: Math.round(items.length / seconds),
			baselineRssMb: round(baseline.rss / MB),
			peakRssMb: round(peakRss / MB),
			peakHeapMb: round(peakHeap / MB),
			rssOverBaselineMb: round((peakRss - baseline.rss) / MB),
			heapOverBaselineMb: round((peakHeap - baseline.heapUsed) / MB),
		};
	} finally {
		await emulator.stop();
	}
}

function gc(): void {
	const collect = (globalThis as { gc?: () => void }).gc;
	if (collect) collect();
}

async function main(): Promise<void> {
	const records = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
	const child = process.argv.find((a) => a.startsWith('--shape='))?.slice('--shape='.length) as Shape | undefined;
	if (child) {
		const figures = await runOne(child, records);
		process.send!(figures);
		return;
	}
	console.log(`Hirebase Get Results benchmark: ${records.toLocaleString('en')} records per export, node ${process.version}`);
	const results: Figures[] = [];
	for (const shape of SHAPES) {
		results.push(
			await new Promise<Figures>((resolve, reject) => {
				const proc = fork(__filename, [String(records), `--shape=${shape}`], { execArgv: ['--expose-gc'] });
				proc.on('message', (m) => resolve(m as Figures));
				proc.on('error', reject);
				proc.on('exit', (code) => code && reject(new Error(`${shape} run exited with ${code}`)));
			}),
		);
		const f = results[results.length - 1];
		console.log(
			`${shape.padEnd(5)}  ${f.records} items from a ${f.fileMb} MB file in ${f.getResultsSeconds} s (${f.recordsPerSecond.toLocaleString('en')} records/s); ` +
				`peak RSS ${f.peakRssMb} MB (+${f.rssOverBaselineMb} MB over baseline ${f.baselineRssMb} MB), peak heap ${f.peakHeapMb} MB (+${f.heapOverBaselineMb} MB); ` +
				`create+wait took ${f.waitSeconds} s`,
		);
	}
	console.table(results);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
