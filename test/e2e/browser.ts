/**
 * Browser suite: n8n's editor as users meet it, in a real headless Chromium
 * (Debian's package, driven by playwright-core) against a real, pinned n8n with
 * this package and the provider emulators. Run by `npm test` after the other
 * e2e suite, or alone with `npm run test:browser`.
 *
 * Checks, one table row each:
 *  - every node panel entry is found by name and its icon renders, in the light
 *    and the dark theme; triggers list one action per outcome;
 *  - every node, configured as a user would, shows no issues badge, its icon,
 *    its operations, its fields and a subtitle made of labels;
 *  - every credential's Test succeeds with the emulator's key and fails with a
 *    wrong key and with a Base URL that is not the provider's API;
 *  - the example workflows open wired (no issues, every connection drawn), and
 *    the durable-loop example runs from the editor.
 * Screenshots go to .n8n-e2e/screenshots/ (BROWSER_SHOTS_DIR); with
 * --update-docs the ones the README shows are copied to docs/screenshots/.
 * Exits non-zero on any failure; the last line reads "browser: N passed, N failed".
 */
import fs from 'node:fs';
import path from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';

import { log, secs, table } from '../../scripts/lib/log';
import { buildPackage, ensureN8n, N8n, N8N_VERSION, OWNER, REPO } from '../../scripts/lib/n8n';
import { allExamples, credentialsFor, EXAMPLES_DIR, freePort, startEmulators, stopEmulators } from '../../scripts/lib/stack';
import type { StartedProvider } from '../../scripts/lib/stack';
import { NODE_CASES, PANEL_ENTRIES, triggerActionsFor } from './browser/catalog';
import type { NodeCase } from './browser/catalog';
import { ensureChromium, launchChromium } from './browser/chromium';
import { Editor } from './browser/editor';

interface Result {
	name: string;
	ok: boolean;
	ms: number;
	error?: string;
}

const results: Result[] = [];
const SHOTS = process.env.BROWSER_SHOTS_DIR ?? path.join(REPO, '.n8n-e2e', 'screenshots');
const DOC_SHOTS = path.join(REPO, 'docs', 'screenshots');
/** Screenshots the README shows, copied to docs/screenshots with --update-docs. */
const README_SHOTS = ['node-panel.png', 'trigger-actions-hirebase.png', 'workflow-job-to-spreadsheet.png', 'ndv-hasData.png'];

async function test(name: string, fn: () => Promise<void>): Promise<boolean> {
	const t = Date.now();
	try {
		await fn();
		results.push({ name, ok: true, ms: Date.now() - t });
		log('browser', `✓ ${name} (${secs(Date.now() - t)})`);
		return true;
	} catch (error) {
		const message = (error as Error).message.split('\n').slice(0, 12).join('\n');
		results.push({ name, ok: false, ms: Date.now() - t, error: message });
		log('browser', `✗ ${name} (${secs(Date.now() - t)})\n${message}`);
		return false;
	}
}

export function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

const GALLERY_ID = 'asyncJobsBrowse1';

/** The package's node types as the example workflows name them (CUSTOM.x or n8n-nodes-async-jobs.x). */
function typeNamesFrom(workflows: Array<{ nodes: Array<{ type: string }> }>): Record<string, string> {
	const types = workflows.flatMap((w) => w.nodes.map((node) => node.type));
	const prefix = types.map((t) => /^(.+)\.(platformJobs|hirebase|lobstr|hasData)(Trigger)?$/.exec(t)?.[1]).find(Boolean);
	if (!prefix) throw new Error('no example workflow uses a node of this package');
	return Object.fromEntries(NODE_CASES.map((c) => [c.name, `${prefix}.${c.name}`]));
}

/** The package's node types n8n loaded, by name. */
async function loadedTypeNames(context: BrowserContext, n8n: N8n): Promise<Record<string, string>> {
	// Served to signed-in users only: read with the browser's session.
	const text = await (await context.request.get(`${n8n.url}/types/nodes.json`)).text();
	const out: Record<string, string> = {};
	for (const c of NODE_CASES) {
		// The file lists every node type n8n loaded; ours carry the package's prefix.
		const found = new RegExp(`"name":"((?:CUSTOM|n8n-nodes-async-jobs)\\.${c.name})"`).exec(text);
		if (found) out[c.name] = found[1];
	}
	return out;
}

/** One workflow holding every node, configured as a user would, with its credential. */
function galleryWorkflow(typeNames: Record<string, string>, started: StartedProvider[]): object {
	const credentialOf = (type: string) => started.find((s) => s.entry.credential.type === type)!.entry.credential;
	const nodes = NODE_CASES.filter((c) => typeNames[c.name]).map((c, i) => ({
		id: `gallery-${c.name}`,
		name: c.displayName,
		type: typeNames[c.name],
		typeVersion: 1,
		position: [(i % 3) * 420, Math.floor(i / 3) * 260],
		parameters: c.parameters,
		credentials: { [c.credentialType]: { id: credentialOf(c.credentialType).id, name: credentialOf(c.credentialType).name } },
		...(c.name === 'hasDataWebhookTrigger' ? { webhookId: '5b0d7c3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f' } : {}),
	}));
	return { id: GALLERY_ID, name: 'Browser test: every node', nodes, connections: {}, settings: { executionOrder: 'v1' }, active: false };
}

/** A second credential per provider: same emulator, wrong key (and one with a Base URL that is a web page). */
interface WrongCredential {
	provider: string;
	kind: string;
	id: string;
	name: string;
	type: string;
	data: object;
}

function wrongCredentials(started: StartedProvider[], webPageUrl: string): WrongCredential[] {
	return started.flatMap(({ entry, emulator }) => [
		{
			provider: entry.title,
			kind: 'wrong key',
			id: `${entry.credential.id.slice(0, 12)}BadK`,
			name: `${entry.title} (wrong key)`,
			type: entry.credential.type,
			data: { ...emulator.credentialData, apiKey: 'not-the-right-key' },
		},
		{
			provider: entry.title,
			kind: 'Base URL of a web page',
			id: `${entry.credential.id.slice(0, 12)}BadU`,
			name: `${entry.title} (Base URL of a web page)`,
			type: entry.credential.type,
			data: { ...emulator.credentialData, baseUrl: webPageUrl },
		},
	]);
}

async function main(): Promise<number> {
	const t0 = Date.now();
	const updateDocs = process.argv.includes('--update-docs');
	const outputDir = path.join(REPO, '.n8n-e2e', 'browser-output');
	fs.rmSync(SHOTS, { recursive: true, force: true });
	fs.mkdirSync(SHOTS, { recursive: true });
	let started: StartedProvider[] = [];
	let n8n: N8n | undefined;
	let close: (() => Promise<void>) | undefined;
	const timings: Array<[string, number]> = [];
	// BROWSER_PARTS=panel,triggers,nodes,credentials,examples runs only those parts (default: all).
	const only = (process.env.BROWSER_PARTS ?? '').split(',').filter(Boolean);
	const runs = (part: string) => only.length === 0 || only.includes(part);
	const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
		const t = Date.now();
		try {
			return await fn();
		} finally {
			timings.push([what, Date.now() - t]);
		}
	};
	try {
		const chromium = await timed('setup: Chromium (apt-get when missing)', async () => ensureChromium());
		let typeNames: Record<string, string> = {};
		let wrong: WrongCredential[] = [];
		await timed('setup: n8n, build, emulators, import', async () => {
			log('browser', `n8n ${N8N_VERSION}: installing or reusing...`);
			const installDir = ensureN8n();
			if (process.env.BROWSER_SKIP_BUILD !== '1') buildPackage();
			started = await startEmulators(false);
			n8n = new N8n(installDir, { outputDir, port: await freePort() });
			// Two CLI calls in all (each starts n8n's CLI, ~10 s): every credential, then every workflow.
			const examples = allExamples().map(({ example }) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, example.file), 'utf8')));
			typeNames = typeNamesFrom(examples);
			wrong = wrongCredentials(started, `${n8n.url}/signin`);
			await n8n.importCredentials([...credentialsFor(started), ...wrong.map(({ id, name, type, data }) => ({ id, name, type, data }))]);
			const file = path.join(n8n.runDir, 'browser-workflows.json');
			fs.writeFileSync(file, JSON.stringify([...examples, galleryWorkflow(typeNames, started)]));
			await n8n.importWorkflow(file);
		});
		const n = n8n!;
		await timed('setup: n8n start', async () => {
			await n.start();
			await n.login();
		});

		const browser = await launchChromium(chromium);
		close = browser.close;
		const context: BrowserContext = browser.context;
		const editor = new Editor(context, n.url, SHOTS);
		await editor.login(OWNER.email, OWNER.password);
		const loaded = await loadedTypeNames(context, n);
		log('browser', `node types n8n loaded: ${Object.values(loaded).join(', ')}`);
		const gallery = { id: GALLERY_ID };

		if (runs('panel')) await timed('node panel (light and dark)', async () => {
			for (const theme of ['light', 'dark'] as const) {
				const page = await editor.openNewWorkflow(theme);
				for (const c of NODE_CASES) {
					await test(`panel (${theme}): "${c.displayName}" found by name, icon renders`, async () => {
						assert(loaded[c.name], `n8n did not load the node type "${c.name}"`);
						const entry = await editor.searchPanel(page, c.displayName, c.panelEntry);
						await editor.assertIconRenders(entry.icon, `the icon of "${c.panelEntry}" in the node panel`, theme);
					});
				}
				await editor.searchPanel(page, 'async', undefined, PANEL_ENTRIES);
				await editor.shot(page, theme === 'light' ? 'node-panel.png' : 'node-panel-dark.png');
				await page.close();
			}
		});

		if (runs('triggers')) await timed('trigger actions', async () => {
			const page = await editor.openNewWorkflow('light');
			for (const entry of PANEL_ENTRIES) {
				const expected = triggerActionsFor(entry);
				if (!expected.length) continue;
				await test(`panel: "${entry}" lists each trigger outcome as its own action`, async () => {
					const actions = await editor.panelActions(page, entry);
					await editor.shot(page, `trigger-actions-${slug(entry)}.png`);
					const missing = expected.filter((a) => !actions.includes(a));
					assert(missing.length === 0, `missing trigger actions ${JSON.stringify(missing)}; the panel lists ${JSON.stringify(actions)}`);
				});
			}
			await page.close();
		});

		if (runs('nodes')) await timed('every node configured', async () => {
			const page = await editor.openWorkflow(gallery.id, 'light');
			await editor.shot(page, 'all-nodes-canvas.png');
			for (const c of NODE_CASES) {
				await test(`node "${c.displayName}": no issues, icon, fields, options, subtitle "${c.subtitle}"`, async () => {
					await checkConfiguredNode(editor, page, c);
				});
			}
			await page.close();
		});

		if (runs('credentials')) await timed('credentials', async () => {
			const page = await editor.openPage('/home/credentials', 'light');
			for (const { entry, emulator } of started) {
				await test(`credential "${entry.title}": Test succeeds with the emulator's key`, async () => {
					const key = String(emulator.credentialData.apiKey);
					const outcome = await editor.testCredential(page, entry.credential.id, { apiKey: key }, `credential-ok-${entry.key}.png`);
					assert(outcome.ok, `Test said: ${outcome.message}`);
				});
			}
			for (const bad of wrong) {
				await test(`credential "${bad.provider}": Test fails with a ${bad.kind}`, async () => {
					const data = bad.data as Record<string, string>;
					const outcome = await editor.testCredential(page, bad.id, { apiKey: data.apiKey, baseUrl: data.baseUrl }, `credential-${slug(bad.kind)}-${slug(bad.provider)}.png`);
					assert(!outcome.ok, `Test said "${outcome.message}" for a credential with a ${bad.kind}`);
					log('browser', `  ${bad.provider}, ${bad.kind}: "${outcome.message}"`);
				});
			}
			await page.close();
		});

		if (runs('examples')) await timed('example workflows', async () => {
			for (const { example } of allExamples()) {
				await test(`example "${example.title}" opens wired, no node with issues`, async () => {
					const page = await editor.openWorkflow(example.id, 'light');
					try {
						const file = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, example.file), 'utf8'));
						await editor.assertWorkflowWired(page, file);
						await editor.shot(page, `example-${path.basename(example.file, '.json')}.png`);
					} finally {
						await page.close();
					}
				});
			}
			// The durable loop: Check Status and Route → Wait (parks the execution) → back, until Finished.
			const durable = allExamples().find(({ provider, example }) => provider.key === 'platformJobs' && /durable-loop/.test(example.file));
			if (durable) {
				await test(`example "${durable.example.title}" runs from the editor to its spreadsheet`, async () => {
					const page = await editor.openWorkflow(durable.example.id, 'light');
					try {
						const ms = await editor.executeWorkflow(page, durable.example.fileNode ?? 'Convert to XLSX', 240_000);
						log('browser', `  the durable loop ran in ${secs(ms)} (its Wait node parks the execution for 70 s)`);
						await editor.shot(page, 'workflow-job-to-spreadsheet.png');
					} finally {
						await page.close();
					}
				});
			} else {
				results.push({ name: 'the durable-loop example runs from the editor', ok: false, ms: 0, error: 'no durable-loop example registered in scripts/providers.ts' });
			}
		});
	} catch (error) {
		results.push({ name: 'suite setup', ok: false, ms: 0, error: (error as Error).stack ?? String(error) });
		log('browser', `setup failed: ${(error as Error).stack}`);
	} finally {
		await close?.();
		await n8n?.stop();
		await stopEmulators(started);
	}

	if (updateDocs) {
		fs.mkdirSync(DOC_SHOTS, { recursive: true });
		for (const file of README_SHOTS) {
			if (fs.existsSync(path.join(SHOTS, file))) fs.copyFileSync(path.join(SHOTS, file), path.join(DOC_SHOTS, file));
		}
	}
	const passed = results.filter((r) => r.ok).length;
	const failed = results.length - passed;
	process.stdout.write(`\n${table(['Part', 'Time'], timings.map(([p, ms]) => [p, secs(ms)]))}\n\n`);
	process.stdout.write(`${table(['Browser test', 'Result', 'Time'], results.map((r) => [r.name, r.ok ? 'passed' : 'FAILED', secs(r.ms)]))}\n`);
	for (const r of results.filter((x) => !x.ok)) process.stdout.write(`\nFAILED: ${r.name}\n${r.error}\n`);
	process.stdout.write(`\nscreenshots: ${SHOTS} (${fs.readdirSync(SHOTS).length} files)\n`);
	if (n8n) process.stdout.write(`n8n log: ${n8n.logFile}\n`);
	process.stdout.write(`\nbrowser: ${passed} passed, ${failed} failed in ${secs(Date.now() - t0)}\n`);
	return failed || results.length === 0 ? 1 : 0;
}

async function checkConfiguredNode(editor: Editor, page: Page, c: NodeCase): Promise<void> {
	let t = Date.now();
	const step = (what: string) => {
		// Slow steps are worth knowing about on a loaded machine.
		if (Date.now() - t > 5000) log('browser', `  (${c.displayName}: ${what} took ${secs(Date.now() - t)})`);
		t = Date.now();
	};
	const node = await editor.canvasNode(page, c.displayName);
	await editor.assertIconRenders(node.icon, `the canvas icon of "${c.displayName}"`, 'light');
	step('icon');
	if (await node.hasIssues()) throw new Error(`"${c.displayName}" shows an issues badge: ${await node.issuesText()}`);
	const subtitle = await node.subtitle();
	assert(subtitle === c.subtitle, `canvas subtitle is "${subtitle}", expected "${c.subtitle}"`);
	step('issues and subtitle');
	const ndv = await editor.openNode(page, c.displayName);
	step('open');
	try {
		const labels = await ndv.fieldLabels();
		const missing = c.fields.filter((f) => !labels.includes(f));
		assert(missing.length === 0, `fields ${JSON.stringify(missing)} not shown; the panel shows ${JSON.stringify(labels)}`);
		if (c.options) {
			// n8n adds "Custom API Call" to nodes whose credential it can reuse: not ours to list.
			const values = (await ndv.optionsOf(c.options.field)).filter((v) => v !== 'Custom API Call');
			assert(JSON.stringify(values) === JSON.stringify(c.options.values), `"${c.options.field}" offers ${JSON.stringify(values)}, expected ${JSON.stringify(c.options.values)}`);
		}
		step('fields and options');
		if (c.name === 'platformJobs') {
			// Wait fields as users see them: "10", not "10.0". Max Poll Interval is offered from the
			// start: "Read by Progress" (on unless switched off) spaces reads up to it, as Back Off does.
			const poll = await ndv.valueOf('pollInterval');
			assert(poll === '10', `Poll Interval shows "${poll}", expected "10"`);
			const choices = await ndv.collectionChoices('Wait Options');
			for (const option of ['Back Off', 'Read by Progress', 'Max Poll Interval (Seconds)']) {
				assert(choices.includes(option), `Wait Options offers ${JSON.stringify(choices)}, without "${option}"`);
			}
		}
		const issues = await ndv.parameterIssues();
		assert(issues.length === 0, `the settings panel shows parameter issues: ${JSON.stringify(issues)}`);
		await editor.shot(page, `ndv-${c.name}.png`);
	} finally {
		await ndv.close();
		step('close');
	}
}

function slug(text: string): string {
	return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}


main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
