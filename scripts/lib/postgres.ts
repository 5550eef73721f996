/**
 * A throwaway PostgreSQL cluster for the queue-mode stack: Debian's server
 * binaries (/usr/lib/postgresql/<version>/bin), a fresh `initdb` in a temp
 * folder, listening on 127.0.0.1 on a port of our choosing. Never touches a
 * system cluster. Stopped by its own postmaster PID.
 *
 * The server refuses to run as root, so as root everything runs as the
 * `postgres` user the Debian package creates (its folders must be owned by it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { DebianPackage } from './debian';
import { sleep } from './log';

/** The newest installed server's bin folder, or undefined. */
export function postgresBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return undefined;
	const versions = fs
		.readdirSync(root)
		.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

export const POSTGRES_PACKAGE: DebianPackage = { name: 'postgresql', present: () => postgresBinDir() !== undefined };

export interface PostgresDatabase {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
}

export class Postgres {
	readonly dataDir: string;
	readonly socketDir: string;
	readonly logFile: string;
	readonly binDir: string;
	private readonly asRoot = process.getuid?.() === 0;

	constructor(readonly dir: string, readonly port: number) {
		const bin = postgresBinDir();
		if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
		this.binDir = bin;
		this.dataDir = path.join(dir, 'data');
		this.socketDir = path.join(dir, 'socket');
		this.logFile = path.join(dir, 'postgres.log');
	}

	/** A new cluster in a new temp folder, started. */
	static async create(port: number): Promise<Postgres> {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-pg-'));
		const pg = new Postgres(dir, port);
		pg.init();
		await pg.start();
		return pg;
	}

	private run(binary: string, args: string[], what: string): string {
		const full = path.join(this.binDir, binary);
		const [cmd, argv] = this.asRoot ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
		const res = spawnSync(cmd, argv, { encoding: 'utf8', cwd: this.dir, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
		if (res.status !== 0) throw new Error(`${what} failed (exit ${res.status}): ${(res.stdout + res.stderr).slice(-1500)}`);
		return res.stdout;
	}

	init(): void {
		fs.mkdirSync(this.socketDir, { recursive: true });
		if (this.asRoot) {
			// mkdtemp makes the folder 0700 root: hand it to the postgres user.
			spawnSync('chown', ['-R', 'postgres:postgres', this.dir]);
		}
		this.run('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], 'initdb');
	}

	async start(): Promise<void> {
		// A test database: durability is not wanted, speed is.
		const options = [
			`-p ${this.port}`,
			`-k ${this.socketDir}`,
			'-c listen_addresses=127.0.0.1',
			'-c fsync=off',
			'-c synchronous_commit=off',
			'-c full_page_writes=off',
			'-c max_connections=200',
		].join(' ');
		this.run('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-o', options, '-w', '-t', '60', 'start'], 'pg_ctl start');
		for (let i = 0; i < 50 && !this.pid; i++) await sleep(100);
	}

	/** The postmaster's PID (first line of postmaster.pid), while it runs. */
	get pid(): number | undefined {
		try {
			const pid = Number(fs.readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
			return Number.isInteger(pid) && pid > 0 ? pid : undefined;
		} catch {
			return undefined;
		}
	}

	/** Runs SQL as the superuser; returns psql's unaligned, tuples-only output. */
	query(sql: string, database = 'postgres'): string {
		return this.run('psql', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], 'psql').trim();
	}

	/** Creates a login role and a database it owns. */
	createDatabase(name: string, user: string, password: string): PostgresDatabase {
		this.query(`create user ${user} password '${password}'`);
		this.query(`create database ${name} owner ${user}`);
		return { host: '127.0.0.1', port: this.port, database: name, user, password };
	}

	/** Fast shutdown; falls back to SIGKILL of the postmaster; removes the folder. */
	async stop(): Promise<void> {
		const pid = this.pid;
		if (pid) {
			try {
				this.run('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '20', 'stop'], 'pg_ctl stop');
			} catch {
				try {
					process.kill(pid, 'SIGKILL');
				} catch {
					/* already gone */
				}
			}
		}
		fs.rmSync(this.dir, { recursive: true, force: true });
	}
}
