/**
 * A real n8n in queue mode on this machine, for the queue-mode end-to-end suite:
 * a throwaway PostgreSQL cluster and Redis (Debian packages, installed when
 * missing), one main (`n8n start`), N workers (`n8n worker`) and one webhook
 * process (`n8n webhook`), every one loading this package from its own user
 * folder (installed in its nodes/ as users do), as on separate machines. Everything lives in one temp folder and is
 * stopped by PID. What each setting is for: README, "Running at scale".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ensureDebianPackages } from './debian';
import { log, secs } from './log';
import { N8n } from './n8n';
import type { N8nOptions } from './n8n';
import { Postgres, POSTGRES_PACKAGE } from './postgres';
import type { PostgresDatabase } from './postgres';
import { Redis, REDIS_PACKAGE } from './redis';
import { freePort } from './stack';

export interface QueueStackOptions {
	installDir: string;
	/** Where workflows may write files (shared by every process, as a shared volume would be). */
	outputDir: string;
	/** Extra env for every process. */
	env?: Record<string, string>;
	workers?: number;
	/** Names of workers to prepare as well (started only when asked, e.g. one to kill). */
	extraWorkers?: string[];
	/** Bull jobs a worker runs at once (n8n's default is 10). */
	workerConcurrency?: number;
}

/** One n8n process of the stack, named by its role (`main`, `w1`, `w2`, `webhook`). */
export interface QueueProcess {
	name: string;
	n8n: N8n;
}

export class QueueStack {
	readonly runDir: string;
	main!: N8n;
	webhook!: N8n;
	readonly workers: QueueProcess[] = [];
	/** Runs CLI commands (import) against the same database, with its own broker port. */
	cli!: N8n;
	postgres?: Postgres;
	redis?: Redis;
	db!: PostgresDatabase;
	/** Seconds spent installing Debian packages (0 when they were there). */
	aptMs = 0;

	private constructor(private readonly options: QueueStackOptions) {
		this.runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-queue-'));
	}

	/** Installs what is missing, starts PostgreSQL and Redis, prepares (does not start) the n8n processes. */
	static async create(options: QueueStackOptions): Promise<QueueStack> {
		const stack = new QueueStack(options);
		try {
			stack.aptMs = ensureDebianPackages([POSTGRES_PACKAGE, REDIS_PACKAGE]).ms;
			let t = Date.now();
			stack.postgres = await Postgres.create(await freePort());
			stack.db = stack.postgres.createDatabase('n8n', 'n8n', 'n8n');
			log('queue', `PostgreSQL (${stack.postgres.binDir}) on 127.0.0.1:${stack.db.port}, pid ${stack.postgres.pid}, ready in ${secs(Date.now() - t)}`);
			t = Date.now();
			stack.redis = await Redis.create(path.join(stack.runDir, 'redis'), await freePort());
			log('queue', `Redis on 127.0.0.1:${stack.redis.port}, pid ${stack.redis.pid}, ready in ${secs(Date.now() - t)}`);
			await stack.prepareProcesses();
			return stack;
		} catch (error) {
			await stack.stop();
			throw error;
		}
	}

	private async prepareProcesses(): Promise<void> {
		const mainPort = await freePort();
		const webhookPort = await freePort();
		const webhookUrl = `http://127.0.0.1:${webhookPort}`;
		const shared: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.redis!.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: this.db.host,
			DB_POSTGRESDB_PORT: String(this.db.port),
			DB_POSTGRESDB_DATABASE: this.db.database,
			DB_POSTGRESDB_USER: this.db.user,
			DB_POSTGRESDB_PASSWORD: this.db.password,
			// Production webhooks and resume URLs ($execution.resumeUrl) point at the webhook process.
			WEBHOOK_URL: `${webhookUrl}/`,
			N8N_EDITOR_BASE_URL: `http://127.0.0.1:${mainPort}/`,
			// Manual runs (REST /run) go to the workers too, not the main.
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			// The suite's own workflows record which process ran a node with $env.QM_PROC.
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
			...(this.options.env ?? {}),
		};
		const make = async (name: string, extra: Partial<N8nOptions> & { port: number }, env: Record<string, string> = {}) =>
			new N8n(this.options.installDir, {
				runDir: path.join(this.runDir, name),
				outputDir: this.options.outputDir,
				...extra,
				env: { ...shared, QM_PROC: name, N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...env },
			});
		this.main = await make('main', { port: mainPort, command: 'start' });
		this.webhook = await make('webhook', { port: webhookPort, command: 'webhook' });
		this.cli = await make('cli', { port: await freePort() });
		const concurrency = this.options.workerConcurrency ?? 10;
		const names = [...Array.from({ length: this.options.workers ?? 2 }, (_, i) => `w${i + 1}`), ...(this.options.extraWorkers ?? [])];
		for (const name of names) {
			const healthPort = await freePort();
			const n8n = await make(
				name,
				{ port: await freePort(), command: 'worker', commandArgs: [`--concurrency=${concurrency}`], readyUrl: `http://127.0.0.1:${healthPort}/healthz/readiness` },
				{ QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
			);
			this.workers.push({ name, n8n });
		}
	}

	/** Every n8n process, named. */
	get processes(): QueueProcess[] {
		return [{ name: 'main', n8n: this.main }, ...this.workers, { name: 'webhook', n8n: this.webhook }];
	}

	worker(name: string): N8n {
		const found = this.workers.find((w) => w.name === name);
		if (!found) throw new Error(`no worker ${name}`);
		return found.n8n;
	}

	/** Starts the main first (it runs the migrations), then the workers and the webhook process together. */
	async start(): Promise<void> {
		await this.startMain();
		await this.startOthers();
	}

	async startMain(): Promise<void> {
		const t = Date.now();
		await this.main.start(180_000);
		log('queue', `main on ${this.main.url} (pid ${this.main.pid}) ready in ${secs(Date.now() - t)}`);
	}

	/** Starts the given processes (by name; default: every worker and the webhook process) together. */
	async startOthers(names = [...this.workers.map((w) => w.name), 'webhook']): Promise<void> {
		const t = Date.now();
		const chosen = this.processes.filter((p) => names.includes(p.name));
		await Promise.all(chosen.map((p) => p.n8n.start(120_000)));
		log('queue', `${chosen.map((p) => `${p.name} (pid ${p.n8n.pid}${p.name === 'webhook' ? `, ${p.n8n.url}` : ''})`).join(', ')} ready in ${secs(Date.now() - t)}`);
	}

	/** SIGTERM to the main, then a new main on the same database; returns how long it was away. */
	async restartMain(whileDown?: () => Promise<void>): Promise<number> {
		const t = Date.now();
		await this.main.stop();
		if (whileDown) await whileDown();
		await this.main.start(120_000);
		return Date.now() - t;
	}

	/**
	 * Which worker(s) logged running an execution ("Worker started execution N"):
	 * n8n stores no worker in the execution, so the workers' logs are the proof.
	 */
	workersThatRan(executionId: string | number): string[] {
		const pattern = new RegExp(`Worker started execution ${executionId} \\(job`);
		return this.workers.filter((w) => pattern.test(w.n8n.readLog())).map((w) => w.name);
	}

	/** Resident memory (MiB) of each process with its children (a worker's task runner), now and at peak. */
	memory(): Array<{ name: string; rssMiB: number; peakMiB: number }> {
		const rows = this.processes.map(({ name, n8n }) => ({ name, ...treeMemory(n8n.pid) }));
		rows.push({ name: 'postgres', ...treeMemory(this.postgres?.pid) });
		rows.push({ name: 'redis', ...treeMemory(this.redis?.pid) });
		return rows;
	}

	/** Stops every process it started (by PID) and removes the database; keeps the logs folder unless `removeLogs`. */
	async stop(removeLogs = false): Promise<void> {
		await Promise.all(this.processes.filter((p) => p.n8n).map((p) => p.n8n.stop().catch(() => undefined)));
		await this.redis?.stop().catch(() => undefined);
		await this.postgres?.stop().catch(() => undefined);
		if (removeLogs) fs.rmSync(this.runDir, { recursive: true, force: true });
	}
}

/** VmRSS and VmHWM of a process and all its descendants, in MiB. */
function treeMemory(pid: number | undefined): { rssMiB: number; peakMiB: number } {
	if (!pid) return { rssMiB: 0, peakMiB: 0 };
	const parents = new Map<number, number[]>();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
		} catch {
			/* exited meanwhile */
		}
	}
	let rss = 0;
	let peak = 0;
	const todo = [pid];
	while (todo.length) {
		const p = todo.pop()!;
		todo.push(...(parents.get(p) ?? []));
		try {
			const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
			rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
			peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
		} catch {
			/* exited meanwhile */
		}
	}
	return { rssMiB: Math.round(rss / 1024), peakMiB: Math.round(peak / 1024) };
}
