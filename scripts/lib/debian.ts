/**
 * Installs the Debian packages a test stack needs (PostgreSQL, Redis) when they
 * are missing. On CI and a fresh machine the suite runs as root; elsewhere it
 * says what to install instead of failing half-way.
 */
import { spawnSync } from 'node:child_process';

import { log, secs } from './log';

export interface DebianPackage {
	/** The apt package name, e.g. `redis-server`. */
	name: string;
	/** True when what the stack needs from it is already on the machine. */
	present(): boolean;
}

/** Installs the missing packages (`apt-get update` first); returns the names it installed and the time taken. */
export function ensureDebianPackages(packages: DebianPackage[]): { installed: string[]; ms: number } {
	const missing = packages.filter((p) => !p.present()).map((p) => p.name);
	if (missing.length === 0) return { installed: [], ms: 0 };
	const started = Date.now();
	if (process.getuid?.() !== 0) {
		throw new Error(`Missing Debian packages: ${missing.join(' ')}. Install them (sudo apt-get install -y ${missing.join(' ')}) or run as root.`);
	}
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	log('apt', `installing ${missing.join(', ')} (apt-get update first)...`);
	for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
		const res = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		if (res.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${res.status}):\n${(res.stdout + res.stderr).slice(-2000)}`);
	}
	const stillMissing = packages.filter((p) => missing.includes(p.name) && !p.present()).map((p) => p.name);
	if (stillMissing.length) throw new Error(`apt-get installed ${missing.join(' ')} but still not usable: ${stillMissing.join(' ')}`);
	const ms = Date.now() - started;
	log('apt', `installed ${missing.join(', ')} in ${secs(ms)}`);
	return { installed: missing, ms };
}

/** True when `command` resolves on PATH (or is an existing absolute path). */
export function hasCommand(command: string): boolean {
	return spawnSync('sh', ['-c', `command -v "${command}"`], { stdio: 'ignore' }).status === 0;
}
