/**
 * What the queue-mode suite does to a running stack through n8n's own REST API
 * (as the editor does): start manual runs (they go to the workers), publish
 * workflows, read executions and the items each node output.
 */
import path from 'node:path';

import type { N8n } from '../../scripts/lib/n8n';
import type { Postgres } from '../../scripts/lib/postgres';
import { nodeBinaries, nodeItems } from '../../scripts/lib/stack';
import { assert, waitFor } from './lib';

export { assert, waitFor };

export interface Execution {
	id: string;
	status: string;
	mode: string;
	startedAt?: string;
	stoppedAt?: string;
	waitTill?: string | null;
	/** Decoded run data. */
	data: any;
}

export class QueueApi {
	constructor(private readonly main: N8n, private readonly installDir: string) {}

	/** Runs a saved workflow from its manual trigger, like the editor's "Execute workflow"; returns the execution id. */
	async runManual(workflowId: string, triggerName: string): Promise<string> {
		const workflow = await this.main.rest('GET', `/workflows/${workflowId}`);
		const res = await this.main.rest('POST', `/workflows/${workflowId}/run`, { workflowData: workflow, triggerToStartFrom: { name: triggerName } });
		const id = res?.executionId;
		assert(id, `POST /workflows/${workflowId}/run gave no execution id: ${JSON.stringify(res)}`);
		return String(id);
	}

	/** Publishes (activates) a workflow in the running main. */
	async publish(workflowId: string): Promise<void> {
		const workflow = await this.main.rest('GET', `/workflows/${workflowId}`);
		await this.main.rest('POST', `/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
	}

	async execution(id: string): Promise<Execution> {
		const full = await this.main.rest('GET', `/executions/${id}`);
		return {
			id: String(full.id),
			status: full.status,
			mode: full.mode,
			startedAt: full.startedAt,
			stoppedAt: full.stoppedAt,
			waitTill: full.waitTill,
			data: this.decode(full.data),
		};
	}

	/** Executions of a workflow, oldest first, with their run data. */
	async executionsOf(workflowId: string): Promise<Execution[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const list = await this.main.rest('GET', `/executions?filter=${filter}&limit=100`);
		const rows = (list.results ?? list) as Array<{ id: string }>;
		const out: Execution[] = [];
		for (const row of rows) out.push(await this.execution(String(row.id)));
		return out.sort((a, b) => Number(a.id) - Number(b.id));
	}

	/** Waits until the execution's status is one of `statuses`. */
	waitForStatus(id: string, statuses: string[], timeoutMs: number, everyMs = 1000): Promise<Execution> {
		return waitFor(`execution ${id} to be ${statuses.join(' or ')}`, timeoutMs, async () => {
			const e = await this.execution(id);
			return statuses.includes(e.status) ? e : undefined;
		}, everyMs);
	}

	/** Waits until the execution has ended (neither new, running nor waiting). */
	waitForEnd(id: string, timeoutMs: number): Promise<Execution> {
		return waitFor(`execution ${id} to end`, timeoutMs, async () => {
			const e = await this.execution(id);
			return ['new', 'running', 'waiting'].includes(e.status) ? undefined : e;
		});
	}

	/** n8n stores execution data "flatted"; its own copy of flatted decodes it. */
	private decode(data: unknown): any {
		if (typeof data !== 'string') return data;
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const flatted = require(path.join(this.installDir, 'node_modules', 'flatted'));
		return flatted.parse(data);
	}
}

export function items(execution: Execution, nodeName: string): any[] {
	return nodeItems(execution.data, nodeName);
}

export function errorOf(execution: Execution): string | undefined {
	const error = execution.data?.resultData?.error;
	return error ? `${error.message ?? error}${error.description ? ` — ${error.description}` : ''}` : undefined;
}

/**
 * The files a node output, read back: in queue mode n8n keeps binary data in the
 * database (table binary_data), since the processes share no disk.
 */
export function binariesOf(execution: Execution, nodeName: string, postgres: Postgres, database: string): Array<{ mimeType?: string; bytes?: Buffer }> {
	return nodeBinaries(execution.data, nodeName).map((binary) => {
		const match = /^database:(?:\/\/)?([0-9a-f-]{36})$/i.exec(binary.id ?? '');
		const base64 = match ? postgres.query(`select encode(data, 'base64') from binary_data where "fileId" = '${match[1]}'`, database) : '';
		return { mimeType: binary.mimeType, bytes: base64 ? Buffer.from(base64.replace(/\s+/g, ''), 'base64') : undefined };
	});
}

/** One XLSX (a zip: "PK") with the spreadsheet MIME type. */
export function isXlsx(files: Array<{ mimeType?: string; bytes?: Buffer }>): boolean {
	return files.length === 1 && /spreadsheetml/.test(files[0].mimeType ?? '') && files[0].bytes?.subarray(0, 2).toString('latin1') === 'PK';
}
