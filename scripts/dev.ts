/**
 * `npm run dev`: the n8n editor on http://localhost:5678 with the package
 * loaded, every emulator running on its fixed port, credentials and the
 * example workflows imported (the trigger example published). Ctrl+C stops all.
 * Log in with the owner printed below (created on first start).
 */
import fs from 'node:fs';
import path from 'node:path';

import { log } from './lib/log';
import { buildPackage, ensureN8n, OWNER, REPO } from './lib/n8n';
import type { N8n } from './lib/n8n';
import { allExamples, prepareN8n, startEmulators, stopEmulators } from './lib/stack';

async function main(): Promise<number> {
	const installDir = ensureN8n();
	buildPackage();
	const outputDir = path.join(REPO, '.demo-output');
	fs.mkdirSync(outputDir, { recursive: true });
	const started = await startEmulators(true);
	let n8n: N8n | undefined;
	const shutdown = async () => {
		await n8n?.stop();
		await stopEmulators(started);
	};
	process.on('SIGINT', () => void shutdown().then(() => process.exit(0)));
	process.on('SIGTERM', () => void shutdown().then(() => process.exit(0)));
	try {
		n8n = await prepareN8n(installDir, started, { outputDir, port: Number(process.env.N8N_PORT ?? 5678) });
		for (const { example } of allExamples()) {
			if (example.kind === 'trigger') await n8n.cliOk(['publish:workflow', `--id=${example.id}`]);
		}
		await n8n.start();
		await n8n.login();
		log('dev', `n8n editor: http://localhost:${n8n.port}  (login ${OWNER.email} / ${OWNER.password})`);
		log('dev', 'the examples end in Convert to File: open an execution and download the XLSX from that node');
		log('dev', `n8n log: ${n8n.logFile}   — Ctrl+C to stop`);
		const code = await n8n.waitForExit();
		log('dev', `n8n exited (${code})`);
		return code ?? 0;
	} finally {
		await shutdown();
	}
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
