/**
 * Workflows only the queue-mode suite uses, built in code: their ids, job ids
 * and credentials depend on the run. Node types take the package's prefix
 * from the shipped examples (the package name when installed in nodes/,
 * `CUSTOM` when loaded through N8N_CUSTOM_EXTENSIONS), so these workflows load
 * exactly the way the examples do.
 */
import fs from 'node:fs';
import path from 'node:path';

import { EXAMPLES_DIR } from '../../scripts/lib/stack';

/** `CUSTOM` or `n8n-nodes-async-jobs`: whatever the shipped examples use. */
export function packageTypePrefix(): string {
	for (const file of fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'))) {
		const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
		for (const node of workflow.nodes ?? []) {
			const match = /^(.+)\.platformJobs$/.exec(String(node.type));
			if (match) return match[1];
		}
	}
	throw new Error('no example workflow uses the Platform Jobs node: cannot tell the package node-type prefix');
}

interface Credential {
	/** n8n credential type, e.g. `lobstrApi`. */
	type: string;
	id: string;
	name: string;
}

let counter = 0;
const uuid = () => `0b7c8f40-0100-4c11-9a00-${String(++counter).padStart(12, '0')}`;

function node(name: string, type: string, typeVersion: number, parameters: object, position: [number, number], credential?: Credential): object {
	return {
		parameters,
		id: uuid(),
		name,
		type,
		typeVersion,
		position,
		...(credential ? { credentials: { [credential.type]: { id: credential.id, name: credential.name } } } : {}),
	};
}

/** A Set node that adds `field` = the name of the n8n process running it ($env.QM_PROC), keeping the other fields. */
export function procMarker(name: string, field: string, position: [number, number]): object {
	return node(
		name,
		'n8n-nodes-base.set',
		3.4,
		{
			assignments: { assignments: [{ id: uuid(), name: field, value: '={{ $env.QM_PROC }}', type: 'string' }] },
			includeOtherFields: true,
			options: {},
		},
		position,
	);
}

function chain(id: string, name: string, nodes: any[]): object {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, nodes, connections, settings: { executionOrder: 'v1' }, active: false, pinData: {}, tags: [] };
}

export const MANUAL = "When clicking 'Execute workflow'";
const manualTrigger = () => node(MANUAL, 'n8n-nodes-base.manualTrigger', 1, {}, [0, 0]);

/** Trigger → "Record" (adds `firedOn`: the worker that ran the execution). */
export function triggerWorkflow(id: string, title: string, triggerType: string, parameters: object, credential: Credential): object {
	return chain(id, `queue e2e: ${title}`, [
		node('Trigger', `${packageTypePrefix()}.${triggerType}`, 1, { pollTimes: { item: [{ mode: 'everyMinute' }] }, outcome: 'any', ...parameters }, [0, 0], credential),
		procMarker('Record', 'firedOn', [240, 0]),
	]);
}

/** Manual → Lobstr "Get Results" of one run, every page. */
export function lobstrResultsWorkflow(id: string, runId: string, credential: Credential): object {
	return chain(id, 'queue e2e: Lobstr results of one run', [
		manualTrigger(),
		node('Get Run Results', `${packageTypePrefix()}.lobstr`, 1, { resource: 'result', operation: 'getResults', source: 'run', runId, returnAll: true }, [240, 0], credential),
	]);
}

/** Manual → "Before" marker → Platform Jobs "Wait for Completion" inside the execution (holds the worker). */
export function inExecutionWaitWorkflow(id: string, jobId: string, credential: Credential): object {
	return chain(id, 'queue e2e: Wait for Completion inside the execution', [
		manualTrigger(),
		procMarker('Before', 'ranOn', [240, 0]),
		node('Wait for Job', `${packageTypePrefix()}.platformJobs`, 1, { resource: 'job', operation: 'waitForCompletion', jobId, pollInterval: 2, timeout: 600 }, [480, 0], credential),
	]);
}
