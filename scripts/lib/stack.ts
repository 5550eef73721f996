/**
 * The shared setup of the demo, dev and e2e: start every provider's emulator,
 * prepare an n8n with the package, import credentials and example workflows.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { PROVIDERS } from '../providers';
import type { ExampleWorkflow, ProviderEntry, RunningEmulator } from '../providers';
import { log } from './log';
import { N8n, REPO } from './n8n';
import type { N8nOptions } from './n8n';

export const EXAMPLES_DIR = path.join(REPO, 'examples');

export interface StartedProvider {
	entry: ProviderEntry;
	emulator: RunningEmulator;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const port = (server.address() as net.AddressInfo).port;
			server.close(() => resolve(port));
		});
	});
}

export async function startEmulators(fixedPorts: boolean): Promise<StartedProvider[]> {
	const started: StartedProvider[] = [];
	for (const entry of PROVIDERS) {
		const emulator = await entry.start(fixedPorts ? entry.devPort : 0);
		log('emulators', `${entry.title} emulator on ${emulator.baseUrl}`);
		started.push({ entry, emulator });
	}
	return started;
}

export async function stopEmulators(started: StartedProvider[]): Promise<void> {
	await Promise.all(started.map((s) => s.emulator.stop().catch(() => undefined)));
}

/** Credentials for n8n's import:credentials, pointing at the running emulators. */
export function credentialsFor(started: StartedProvider[]): object[] {
	return started.map(({ entry, emulator }) => ({
		id: entry.credential.id,
		name: entry.credential.name,
		type: entry.credential.type,
		data: emulator.credentialData,
	}));
}

export function allExamples(): Array<{ provider: ProviderEntry; example: ExampleWorkflow }> {
	return PROVIDERS.flatMap((provider) => provider.examples.map((example) => ({ provider, example })));
}

/** A prepared n8n: package staged, credentials and every example workflow imported. */
export async function prepareN8n(installDir: string, started: StartedProvider[], options: N8nOptions, extraWorkflows: string[] = []): Promise<N8n> {
	const n8n = new N8n(installDir, options);
	log('n8n', `user folder ${n8n.userFolder} (throwaway)`);
	const t = Date.now();
	await n8n.importCredentials(credentialsFor(started));
	const files = [...allExamples().map(({ example }) => path.join(EXAMPLES_DIR, example.file)), ...extraWorkflows];
	// One `import:workflow --separate` for all files: each n8n CLI start costs seconds.
	const dir = path.join(n8n.runDir, 'workflows');
	fs.mkdirSync(dir, { recursive: true });
	for (const file of files) {
		if (!fs.existsSync(file)) throw new Error(`missing workflow file ${file}`);
		fs.copyFileSync(file, path.join(dir, path.basename(file)));
	}
	await n8n.cliOk(['import:workflow', '--separate', `--input=${dir}`]);
	log('n8n', `imported ${started.length} credential(s) and ${files.length} workflow(s) in ${((Date.now() - t) / 1000).toFixed(1)}s`);
	return n8n;
}

/** The items a node output in an execution's run data (`n8n execute --rawOutput`). */
export function nodeItems(runData: any, nodeName: string): any[] {
	const resultData = runData?.data?.resultData ?? runData?.resultData ?? runData;
	const runs = resultData?.runData?.[nodeName];
	if (!Array.isArray(runs)) return [];
	return runs.flatMap((run: any) => (run?.data?.main?.[0] ?? []).map((item: any) => item.json));
}

export function executionError(runData: any): string | undefined {
	const resultData = runData?.data?.resultData ?? runData?.resultData ?? runData;
	const error = resultData?.error;
	return error ? `${error.message ?? error}${error.description ? ` — ${error.description}` : ''}` : undefined;
}

export interface BinaryOutput {
	fileName?: string;
	mimeType?: string;
	fileSize?: string;
	/** Base64 content (n8n's in-memory binary mode). */
	data?: string;
	/** A reference into n8n's binary store (e.g. "filesystem-v2:workflows/…"). */
	id?: string;
}

/** The binary files a node output in an execution's run data (first output). */
export function nodeBinaries(runData: any, nodeName: string, property = 'data'): BinaryOutput[] {
	const resultData = runData?.data?.resultData ?? runData?.resultData ?? runData;
	const runs = resultData?.runData?.[nodeName];
	if (!Array.isArray(runs)) return [];
	return runs.flatMap((run: any) => (run?.data?.main?.[0] ?? []).map((item: any) => item.binary?.[property]).filter(Boolean));
}

/**
 * The bytes of a binary output: inline base64, or the file in n8n's filesystem
 * store under the user folder. The example workflows end in "Convert to File"
 * (they write nothing to disk, so they import into any n8n); the demo and the
 * tests read the XLSX from here.
 */
export function binaryBytes(n8n: N8n, binary: BinaryOutput): Buffer | undefined {
	if (binary.id?.startsWith('filesystem')) {
		// n8n 2.x keeps binary files in .n8n/storage, 1.x in .n8n/binaryData.
		const relative = binary.id.slice(binary.id.indexOf(':') + 1);
		const file = ['storage', 'binaryData'].map((dir) => path.join(n8n.userFolder, '.n8n', dir, relative)).find((f) => fs.existsSync(f));
		return file ? fs.readFileSync(file) : undefined;
	}
	if (binary.data && binary.data !== 'filesystem-v2' && !binary.id) return Buffer.from(binary.data, 'base64');
	return undefined;
}
