/**
 * What every end-to-end suite shares: the test runner and its result table,
 * assertions, polling for a condition, and reading n8n's execution data.
 */
import fs from 'node:fs';
import path from 'node:path';

import { log, secs, sleep, table } from '../../scripts/lib/log';
import type { N8n } from '../../scripts/lib/n8n';
import { binaryBytes } from '../../scripts/lib/stack';
import type { BinaryOutput } from '../../scripts/lib/stack';

export interface Result {
	name: string;
	ok: boolean;
	ms: number;
	error?: string;
}

export const results: Result[] = [];
export const parts: Array<[string, number]> = [];

export async function test(name: string, fn: () => Promise<void>): Promise<boolean> {
	const t = Date.now();
	log('e2e', `▶ ${name}`);
	try {
		await fn();
		results.push({ name, ok: true, ms: Date.now() - t });
		log('e2e', `✓ ${name} (${secs(Date.now() - t)})`);
		return true;
	} catch (error) {
		const message = (error as Error).message;
		results.push({ name, ok: false, ms: Date.now() - t, error: message });
		log('e2e', `✗ ${name} (${secs(Date.now() - t)})\n${message}`);
		return false;
	}
}

/**
 * Runs one part of a suite. E2E_ONLY=<words> (for development) runs only the
 * parts whose name contains one of the words; setup parts always run.
 */
export async function part<T>(name: string, fn: () => Promise<T>, always = false): Promise<T | undefined> {
	const only = process.env.E2E_ONLY?.split(',').filter(Boolean);
	if (!always && only?.length && !only.some((word) => name.includes(word))) {
		log('e2e', `— part "${name}" skipped (E2E_ONLY=${process.env.E2E_ONLY})`);
		return undefined;
	}
	const t = Date.now();
	try {
		return await fn();
	} finally {
		parts.push([name, Date.now() - t]);
		log('e2e', `— part "${name}" took ${secs(Date.now() - t)}`);
	}
}

/** Prints the parts and results tables; returns the exit code (non-zero on any failure, or no test). */
export function report(n8nLog?: string): number {
	const passed = results.filter((r) => r.ok).length;
	const failed = results.length - passed;
	process.stdout.write(`\n${table(['Part', 'Time'], parts.map(([p, ms]) => [p, secs(ms)]))}\n\n`);
	process.stdout.write(`${table(['Test', 'Result', 'Time'], results.map((r) => [r.name, r.ok ? 'passed' : 'FAILED', secs(r.ms)]))}\n`);
	for (const r of results.filter((x) => !x.ok)) process.stdout.write(`\nFAILED: ${r.name}\n${r.error}\n`);
	if (n8nLog) process.stdout.write(`\nn8n log: ${n8nLog}\n`);
	process.stdout.write(`\ne2e: ${passed} passed, ${failed} failed\n`);
	return failed || results.length === 0 ? 1 : 0;
}

export function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

/** The node output exactly one XLSX (a zip: "PK") with the spreadsheet MIME type. */
export function assertXlsx(n: N8n, binaries: BinaryOutput[], nodeName: string): void {
	assert(binaries.length === 1, `expected one file from "${nodeName}", got ${binaries.length}`);
	assert(/spreadsheetml/.test(binaries[0].mimeType ?? ''), `"${nodeName}" output ${binaries[0].mimeType}, not XLSX`);
	const bytes = binaryBytes(n, binaries[0]);
	assert(bytes && bytes.subarray(0, 2).toString('latin1') === 'PK', `"${nodeName}" output is not an XLSX (zip) file: ${JSON.stringify(binaries[0])}`);
}

export async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, everyMs = 2000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await fn();
			if (value !== undefined) return value;
		} catch (error) {
			last = error;
		}
		await sleep(everyMs);
	}
	throw new Error(`timed out after ${secs(timeoutMs)} waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** n8n stores execution data "flatted"; its own copy of flatted decodes it. */
export function decodeExecutionData(installDir: string, data: unknown): any {
	if (typeof data !== 'string') return data;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const flatted = require(path.join(installDir, 'node_modules', 'flatted'));
	return flatted.parse(data);
}

/** One execution with its run data decoded. */
export async function execution(n: N8n, installDir: string, id: string): Promise<{ status: string; waitTill?: string; data: any }> {
	const full = await n.rest('GET', `/executions/${id}`);
	return { status: full.status, waitTill: full.waitTill, data: decodeExecutionData(installDir, full.data) };
}

/**
 * Poll Times for every 5 seconds. n8n refuses a Poll Times entry that fires more
 * than once a minute, but accepts several: twelve "every minute at second N"
 * entries (0, 5, …, 55). Lets trigger tests wait seconds, not minutes.
 */
export const EVERY_5_SECONDS = { item: Array.from({ length: 12 }, (_, i) => ({ mode: 'custom', cronExpression: `${i * 5} * * * * *` })) };

/** A copy of a workflow file (in the run's folder) whose polling triggers poll every 5 seconds. */
export function pollingEvery5Seconds(n: N8n, file: string): string {
	const workflow = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Array<{ parameters?: Record<string, unknown> }> };
	for (const node of workflow.nodes) if (node.parameters?.pollTimes) node.parameters.pollTimes = EVERY_5_SECONDS;
	const copy = path.join(n.runDir, `every-5s-${path.basename(file)}`);
	fs.writeFileSync(copy, JSON.stringify(workflow));
	return copy;
}
