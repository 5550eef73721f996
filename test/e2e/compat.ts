/**
 * Compatibility suite: the built package in a real n8n of a given version —
 * by default the OLDEST supported one (1.123.81, the last 1.x line) — against
 * the provider emulators. Run by `npm test` after the main e2e suite:
 *
 *   node .scripts-build/test/e2e/compat.js                   # oldest n8n: everything below
 *   node .scripts-build/test/e2e/compat.js --newest --quick  # newest (2.41.1): all but the example runs
 *
 *  1. the package loads: no load errors in n8n's log, every node and credential
 *     type listed by n8n (/types/nodes.json, /types/credentials.json);
 *  2. one example workflow per provider runs with `n8n execute` (skipped with --quick;
 *     the main suite runs them on the newest n8n);
 *  3. the credential Test (POST /rest/credentials/test) of every provider: the right
 *     key passes; a wrong key, a web page as Base URL, the provider's host with a
 *     wrong path, and a Base URL redirecting to another host fail — and no request
 *     to that other host carries the key;
 *  4. a node whose Base URL redirects to another host (HasData, Hirebase: key in
 *     x-api-key) fails saying so, and the other host never sees the key.
 * Exits non-zero on any failure; the last line reads "N passed, N failed".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { log, secs, table } from '../../scripts/lib/log';
import { buildPackage, ensureN8n, N8n, N8N_VERSION, OLDEST_N8N_VERSION, REPO } from '../../scripts/lib/n8n';
import { allExamples, credentialsFor, EXAMPLES_DIR, executionError, freePort, nodeBinaries, nodeItems, startEmulators, stopEmulators } from '../../scripts/lib/stack';
import type { StartedProvider } from '../../scripts/lib/stack';
import { OtherHost } from '../emulators/otherHost';
import { assertXlsx } from './lib';

const args = process.argv.slice(2);
// --newest: the n8n the main suite uses (N8N_VERSION); --n8n=X: any installed-or-installable version.
const version = args.includes('--newest') ? N8N_VERSION : (args.find((a) => a.startsWith('--n8n='))?.slice('--n8n='.length) ?? OLDEST_N8N_VERSION);
const quick = args.includes('--quick');

const results: Array<{ name: string; ok: boolean; error?: string }> = [];

async function test(name: string, fn: () => Promise<void>): Promise<void> {
	const t = Date.now();
	try {
		await fn();
		results.push({ name, ok: true });
		log('compat', `✓ ${name} (${secs(Date.now() - t)})`);
	} catch (error) {
		results.push({ name, ok: false, error: (error as Error).message });
		log('compat', `✗ ${name} (${secs(Date.now() - t)})\n${(error as Error).message}`);
	}
}

function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

/** The first runnable example of each provider: one workflow per provider. */
function onePerProvider() {
	const seen = new Set<string>();
	return allExamples().filter(({ provider, example }) => example.kind === 'run' && !seen.has(provider.key) && seen.add(provider.key));
}

/** The node and credential type names the package declares (from the built dist/). */
function declaredTypes(): { nodes: string[]; credentials: string[] } {
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
	const load = (file: string) => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(path.join(REPO, file));
		const Class = Object.values(mod)[0] as new () => { name?: string; description?: { name: string } };
		const instance = new Class();
		return instance.description?.name ?? instance.name!;
	};
	return { nodes: pkg.n8n.nodes.map(load), credentials: pkg.n8n.credentials.map(load) };
}

/** The prefix n8n gives this package's node types, as the example workflows use it (CUSTOM or the package name). */
function nodeTypePrefix(): string {
	const example = allExamples()[0].example;
	const workflow = JSON.parse(fs.readFileSync(path.join(REPO, 'examples', example.file), 'utf8'));
	const ours = workflow.nodes.find((n: { type: string }) => !n.type.startsWith('n8n-nodes-base.'));
	return ours.type.slice(0, ours.type.lastIndexOf('.'));
}

interface CredentialCase {
	label: string;
	data: (base: { baseUrl: string; apiKey: string }) => { baseUrl: string; apiKey: string };
	expect: 'OK' | 'Error';
}

/** n8n 1.x answers /healthz/readiness a moment before its REST routes exist (POST /rest/login → 404). */
async function restIsUp(n: N8n, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const res = await fetch(`${n.url}/rest/login`).catch(() => undefined);
		if (res && res.status !== 404) return;
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error(`n8n's REST API did not come up within ${timeoutMs / 1000}s`);
}

/** A Base URL on the provider's own host with a path the API does not have. */
function wrongPath(provider: string, baseUrl: string): string {
	if (provider === 'platformJobs') return baseUrl.replace(/\/v1\/api$/, ''); // the classic: /v1/api left out
	if (provider === 'lobstr') return baseUrl.replace(/\/v1$/, '');
	return baseUrl + '/v1';
}

async function main(): Promise<number> {
	const t0 = Date.now();
	const outputDir = path.join(REPO, '.n8n-e2e', `compat-${version}`, 'output');
	fs.rmSync(outputDir, { recursive: true, force: true });
	let started: StartedProvider[] = [];
	let n8n: N8n | undefined;
	const webPage = new OtherHost();
	const elsewhere = new OtherHost();
	const redirector = new OtherHost();
	try {
		log('compat', `n8n ${version}: installing or reusing...`);
		const installDir = ensureN8n(version);
		buildPackage();
		started = await startEmulators(false);
		await webPage.start();
		await elsewhere.start();
		redirector.redirect = { to: elsewhere.baseUrl, status: 307 };
		await redirector.start();

		// Credentials whose Base URL redirects to another host, and a workflow per x-api-key provider using one.
		const prefix = nodeTypePrefix();
		const workflowDir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-compat-'));
		const redirected = [
			{ provider: 'hasData', credential: 'hasDataApi', id: 'asyncJobsCmpRdHD', params: { resource: 'job', operation: 'get', jobId: '1' } },
			{ provider: 'hirebase', credential: 'hirebaseApi', id: 'asyncJobsCmpRdHB', params: { resource: 'task', operation: 'get', taskId: '8107c787-16b9-4763-af74-e2c789a5169e' } },
		];
		redirected.forEach((r) => {
			const file = path.join(workflowDir, `${r.id}.json`);
			fs.writeFileSync(
				file,
				JSON.stringify({
					id: r.id,
					name: `Compat: ${r.provider} behind a redirect`,
					active: false,
					settings: {},
					connections: { Start: { main: [[{ node: 'Read', type: 'main', index: 0 }]] } },
					nodes: [
						{ id: 'a1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
						{
							id: 'a2',
							name: 'Read',
							type: `${prefix}.${r.provider}`,
							typeVersion: 1,
							position: [200, 0],
							parameters: r.params,
							credentials: { [r.credential]: { id: r.id, name: `${r.provider} (redirects elsewhere)` } },
						},
					],
				}),
			);
		});
		// Only the workflows this suite runs, imported in one CLI call (each call boots n8n: ≈ 5 s).
		const examples = quick ? [] : onePerProvider();
		for (const { example } of examples) fs.copyFileSync(path.join(EXAMPLES_DIR, example.file), path.join(workflowDir, example.file));

		n8n = new N8n(installDir, { outputDir, port: await freePort() });
		const n = n8n;
		log('compat', `n8n ${n.version} on Node 24 (${n.nodeBin}), user folder ${n.userFolder} (throwaway)`);
		const key = (provider: string) => String(started.find((s) => s.entry.key === provider)!.emulator.credentialData.apiKey);
		await n.importCredentials([
			...credentialsFor(started),
			...redirected.map((r) => ({ id: r.id, name: `${r.provider} (redirects elsewhere)`, type: r.credential, data: { baseUrl: redirector.baseUrl, apiKey: key(r.provider) } })),
		]);
		await n.cliOk(['import:workflow', '--separate', `--input=${workflowDir}`]);

		if (!quick) {
			for (const { provider, example } of examples) {
				await test(`${provider.title}: "${example.title}" runs (${example.expectRows} rows, an XLSX file)`, async () => {
					const res = await n.execute(example.id);
					assert(res.ok, `n8n execute failed: ${executionError(res.data) ?? res.output.split('\n').slice(-20).join('\n')}`);
					const job = nodeItems(res.data, example.jobNode!)[0];
					assert(job?.status === 'succeeded', `job node output: ${JSON.stringify(job)}`);
					const rows = nodeItems(res.data, example.rowsNode!);
					assert(rows.length === example.expectRows, `expected ${example.expectRows} rows from "${example.rowsNode}", got ${rows.length}`);
					assertXlsx(n, nodeBinaries(res.data, example.fileNode!), example.fileNode!);
				});
			}
		}

		await n.start();
		await restIsUp(n);
		await test('the package loads: every node and credential type is listed, no load errors in the log', async () => {
			const declared = declaredTypes();
			const nodes: Array<{ name: string }> = await n.getAsOwner('/types/nodes.json');
			const credentials: Array<{ name: string }> = await n.getAsOwner('/types/credentials.json');
			const missingNodes = declared.nodes.filter((name) => !nodes.some((t) => t.name === `${prefix}.${name}`));
			const missingCredentials = declared.credentials.filter((name) => !credentials.some((t) => t.name === name));
			assert(missingNodes.length === 0, `node types n8n does not list: ${missingNodes.join(', ')} (prefix ${prefix})`);
			assert(missingCredentials.length === 0, `credential types n8n does not list: ${missingCredentials.join(', ')}`);
			const errors = n.loadErrors();
			assert(errors.length === 0, errors.join('\n'));
		});

		const cases: CredentialCase[] = [
			{ label: 'right key', data: (b) => b, expect: 'OK' },
			{ label: 'wrong key', data: (b) => ({ ...b, apiKey: 'wrong-key' }), expect: 'Error' },
			{ label: 'web page', data: (b) => ({ ...b, baseUrl: webPage.baseUrl }), expect: 'Error' },
			{ label: 'wrong path', data: (b) => b, expect: 'Error' },
			{ label: 'redirect', data: (b) => ({ ...b, baseUrl: redirector.baseUrl }), expect: 'Error' },
		];
		const rows: string[][] = [];
		for (const { entry, emulator } of started) {
			const row = [entry.title];
			const base = emulator.credentialData as { baseUrl: string; apiKey: string };
			for (const c of cases) {
				const data = c.label === 'wrong path' ? { ...base, baseUrl: wrongPath(entry.key, base.baseUrl) } : c.data(base);
				let verdict = '?';
				await test(`${entry.title} credential Test, ${c.label}: ${c.expect}`, async () => {
					const before = elsewhere.requestsCarrying(base.apiKey).length;
					const result = await n.rest('POST', '/credentials/test', {
						credentials: { id: entry.credential.id, name: entry.credential.name, type: entry.credential.type, data },
					});
					verdict = `${result.status}`;
					assert(result.status === c.expect, `expected ${c.expect}, n8n said ${result.status}: ${result.message}`);
					log('compat', `  ${entry.title} / ${c.label}: ${result.status} — ${result.message}`);
					assert(elsewhere.requestsCarrying(base.apiKey).length === before, 'the API key reached the other host');
				});
				row.push(verdict);
			}
			rows.push(row);
		}
		console.log(`\nCredential Test in n8n ${n.version} (POST /rest/credentials/test):\n` + table(['Provider', ...cases.map((c) => `${c.label} → ${c.expect}`)], rows));
		await n.stop();

		// Last: these runs fail on purpose, and their errors must not count as load errors above.
		for (const r of redirected) {
			await test(`${r.provider} node: a Base URL redirecting to another host fails, and that host never gets the key`, async () => {
				const before = elsewhere.requests.length;
				const res = await n.execute(r.id);
				assert(!res.ok, 'the workflow succeeded');
				const message = executionError(res.data) ?? res.output;
				assert(/with a redirect to .* which was not followed/.test(message), `unexpected error: ${message.split('\n').slice(-5).join('\n')}`);
				assert(elsewhere.requestsCarrying(key(r.provider)).length === 0, 'the other host received the API key');
				assert(elsewhere.requests.length === before, `the other host got ${elsewhere.requests.length - before} request(s)`);
			});
		}

	} catch (error) {
		results.push({ name: 'setup', ok: false, error: (error as Error).stack });
		log('compat', `✗ setup failed: ${(error as Error).stack}`);
	} finally {
		await n8n?.stop().catch(() => undefined);
		await stopEmulators(started);
		await Promise.all([webPage.stop(), elsewhere.stop(), redirector.stop()]);
	}
	const failed = results.filter((r) => !r.ok);
	for (const f of failed) console.log(`FAILED: ${f.name}\n  ${f.error}`);
	console.log(`compat n8n ${version}${quick ? ' (quick)' : ''}: ${results.length - failed.length} passed, ${failed.length} failed in ${secs(Date.now() - t0)}`);
	return failed.length ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
