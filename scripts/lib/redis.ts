/**
 * A throwaway Redis for the queue-mode stack: Debian's `redis-server` on
 * 127.0.0.1 and a port of our choosing, nothing saved to disk, run as our
 * own child process (so it is stopped by its PID, never by name).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { hasCommand } from './debian';
import type { DebianPackage } from './debian';
import { sleep } from './log';

export const REDIS_PACKAGE: DebianPackage = { name: 'redis-server', present: () => hasCommand('redis-server') };

export class Redis {
	private proc?: ChildProcess;
	readonly logFile: string;

	constructor(readonly dir: string, readonly port: number) {
		this.logFile = path.join(dir, 'redis.log');
	}

	static async create(dir: string, port: number): Promise<Redis> {
		const redis = new Redis(dir, port);
		await redis.start();
		return redis;
	}

	get pid(): number | undefined {
		return this.proc?.pid;
	}

	async start(): Promise<void> {
		fs.mkdirSync(this.dir, { recursive: true });
		const out = fs.openSync(this.logFile, 'a');
		this.proc = spawn(
			'redis-server',
			['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir],
			{ stdio: ['ignore', out, out] },
		);
		fs.closeSync(out);
		const deadline = Date.now() + 15_000;
		while (Date.now() < deadline) {
			if (this.proc.exitCode !== null) throw new Error(`redis-server exited (code ${this.proc.exitCode}): ${fs.readFileSync(this.logFile, 'utf8').slice(-1000)}`);
			if ((await this.command('PING')) === '+PONG') return;
			await sleep(100);
		}
		throw new Error(`redis-server did not answer on port ${this.port}`);
	}

	/** Sends one inline command; resolves with the first reply line (or '' on error). */
	command(line: string): Promise<string> {
		return new Promise((resolve) => {
			const socket = net.connect(this.port, '127.0.0.1');
			let data = '';
			const done = (value: string) => {
				socket.destroy();
				resolve(value);
			};
			socket.setTimeout(2000, () => done(''));
			socket.on('error', () => done(''));
			socket.on('connect', () => socket.write(`${line}\r\n`));
			socket.on('data', (chunk) => {
				data += chunk;
				if (data.includes('\r\n')) done(data.split('\r\n')[0]);
			});
		});
	}

	async stop(): Promise<void> {
		const proc = this.proc;
		if (!proc || proc.exitCode !== null) return;
		const exited = new Promise<void>((r) => proc.once('exit', () => r()));
		proc.kill('SIGTERM');
		const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
		await exited;
		clearTimeout(timer);
	}
}
