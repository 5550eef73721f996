/**
 * `npm run demo`: in a real n8n, with no API keys, every provider's example
 * workflow reruns or starts a job against the built-in emulators, waits for
 * it, takes its rows and writes them to an XLSX file with n8n's own
 * Convert to File + Read/Write Files from Disk nodes. Ends with a table.
 */
import fs from 'node:fs';
import path from 'node:path';

import { log, secs, table } from './lib/log';
import { buildPackage, ensureN8n, N8N_VERSION, REPO } from './lib/n8n';
import type { N8n } from './lib/n8n';
import { allExamples, binaryBytes, executionError, nodeBinaries, nodeItems, prepareN8n, startEmulators, stopEmulators } from './lib/stack';
import type { StartedProvider } from './lib/stack';

async function main(): Promise<number> {
	const outputDir = path.join(REPO, '.demo-output');
	fs.rmSync(outputDir, { recursive: true, force: true });
	fs.mkdirSync(outputDir, { recursive: true });

	log('demo', `n8n ${N8N_VERSION}: installing or reusing (first time: about 5 minutes)...`);
	let t = Date.now();
	const installDir = ensureN8n();
	log('demo', `n8n ready in ${secs(Date.now() - t)} (${installDir})`);
	t = Date.now();
	log('demo', 'building the package...');
	buildPackage();
	log('demo', `built in ${secs(Date.now() - t)}`);

	let started: StartedProvider[] = [];
	let n8n: N8n | undefined;
	const rows: string[][] = [];
	let failures = 0;
	try {
		started = await startEmulators(false);
		n8n = await prepareN8n(installDir, started, { outputDir });
		for (const { provider, example } of allExamples()) {
			if (example.kind !== 'run') {
				log('demo', `skipping "${example.title}" (a polling trigger: see npm run dev)`);
				continue;
			}
			log('demo', `running "${example.title}" (${provider.title} job: start/rerun → wait → rows → XLSX)...`);
			t = Date.now();
			const ticker = setInterval(() => log('demo', `  … still running "${example.title}" (${secs(Date.now() - t)})`), 5000);
			const res = await n8n.execute(example.id);
			clearInterval(ticker);
			const job = nodeItems(res.data, example.jobNode!)[0];
			const items = nodeItems(res.data, example.rowsNode!);
			// The workflow ends in Convert to File; the demo saves that XLSX for you to open.
			const xlsx = nodeBinaries(res.data, example.fileNode!).map((b) => binaryBytes(n8n!, b))[0];
			const file = path.join(outputDir, example.outputFile!);
			if (xlsx) fs.writeFileSync(file, xlsx);
			const fileOk = xlsx ? `${path.relative(REPO, file)} (${xlsx.length} B)` : 'not written';
			const missing = (example.rowKeys ?? []).filter((k) => !items.every((r) => r && typeof r === 'object' && k in r));
			if (missing.length) log('demo', `  rows lack ${missing.join(', ')}: ${JSON.stringify(items[0])}`);
			const ok = res.ok && items.length === example.expectRows && !missing.length && fileOk !== 'not written';
			if (!ok) {
				failures++;
				log('demo', `  FAILED: ${executionError(res.data) ?? res.output.split('\n').slice(-15).join('\n')}`);
			}
			log('demo', `  ${ok ? 'done' : 'failed'} in ${secs(Date.now() - t)}: job ${job?.id ?? '?'} ${job?.status ?? '?'}, ${items.length} rows`);
			rows.push([example.title, job ? `${job.status}` : 'n/a', String(items.length), fileOk]);
		}
		for (const { entry, emulator } of started) {
			const throttled = emulator.throttled?.() ?? 0;
			if (throttled) {
				failures++;
				log('demo', `${entry.title}: the emulator refused ${throttled} request(s) with 429 (the nodes must stay under its rate limits)`);
			}
		}
		const loadErrors = n8n.loadErrors();
		if (loadErrors.length) {
			failures++;
			log('demo', `n8n reported problems loading the package:\n${loadErrors.join('\n')}`);
		}
	} finally {
		await n8n?.stop();
		await stopEmulators(started);
	}
	process.stdout.write(`\n${table(['Workflow', 'Job status', 'Rows', 'File'], rows)}\n\nFiles are in ${outputDir}\n`);
	if (n8n) process.stdout.write(`n8n log: ${n8n.logFile}\n`);
	return failures ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
