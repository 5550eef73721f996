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
	for (const file of files) {
		if (!fs.existsSync(file)) throw new Error(`missing workflow file ${file}`);
		await n8n.importWorkflow(file);
	}
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
