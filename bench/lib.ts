/**
 * What both benchmarks in real n8n need (`n8n-bench.ts`, `n8n-memory.ts`):
 * memory of n8n's process tree, the newest execution from n8n's database, and
 * finished Hirebase exports with fixed IDs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import type { N8n } from '../scripts/lib/n8n';
import type { HirebaseEmulator } from '../test/emulators/hirebase';

/** Resident memory (bytes) of each process in the tree under `pid` (n8n and its task runner). */
export function rssByPid(pid: number): Map<number, number> {
	const out = new Map<number, number>();
	const stack = [pid];
	while (stack.length) {
		const p = stack.pop()!;
		try {
			out.set(p, Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) * 1024);
			for (const task of fs.readdirSync(`/proc/${p}/task`)) {
				const children = fs.readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
				if (children) stack.push(...children.split(/\s+/).map(Number));
			}
		} catch {
			/* gone */
		}
	}
	return out;
}

/** Resident memory (bytes) of a process and all its descendants. */
export function treeRss(pid: number): number {
	let total = 0;
	for (const rss of rssByPid(pid).values()) total += rss;
	return total;
}

/** The newest execution's status and times (epoch ms), read from n8n's sqlite database with n8n's own sqlite3. */
export function lastExecution(n8n: N8n): { status: string; startedAt: number; stoppedAt: number } | undefined {
	const db = path.join(n8n.userFolder, '.n8n', 'database.sqlite');
	const script = `const s=require('sqlite3');const d=new s.Database(${JSON.stringify(db)});d.get('select status, startedAt, stoppedAt from execution_entity order by id desc limit 1',(e,r)=>{console.log(JSON.stringify(r||null));d.close();});`;
	const out = spawnSync(n8n.nodeBin, ['-e', script], { env: { ...process.env, NODE_PATH: path.join(n8n.installDir, 'node_modules') }, encoding: 'utf8' });
	try {
		const row = JSON.parse(out.stdout.trim());
		return row ? { status: row.status, startedAt: new Date(row.startedAt).getTime(), stoppedAt: new Date(row.stoppedAt).getTime() } : undefined;
	} catch {
		return undefined;
	}
}

/** A finished Hirebase export of `records` records under a fixed ID, its file made ahead (not timed). */
export function finishedHirebaseExport(hirebase: HirebaseEmulator, id: string, records: number, format: 'json' | 'csv'): string {
	const created = hirebase.createTask({ queuedMs: 0, processingMs: 0, recordCount: records, jsonShape: 'jsonl', linkTtlMs: 24 * 3600_000 }, format);
	const task = hirebase.tasks.get(created)!;
	hirebase.tasks.delete(created);
	task.id = id;
	hirebase.tasks.set(id, task);
	hirebase.fileOf(id);
	return id;
}
