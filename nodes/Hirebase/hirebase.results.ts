import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { returnAllAndLimit } from '../shared/descriptions';
import type { Show } from '../shared/descriptions';
import type { FileFormat } from '../shared/fileRows';
import { streamFileRows } from '../shared/fileRowStream';
import type { CanonicalJob } from '../shared/job';
import { readId } from '../shared/params';
import { openDownload, readSmallBody } from '../shared/streamDownload';
import { safeHost } from '../shared/transport';
import { readHirebaseTask } from './hirebase.adapter';

export function resultFields(show: Show): INodeProperties[] {
	return [
		// On by default: an export already holds only what its search asked for.
		...returnAllAndLimit(show, 'records', true),
		{
			displayName: 'Options',
			name: 'resultOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show },
			options: [
				{
					displayName: 'Output as File',
					name: 'outputAsFile',
					type: 'boolean',
					default: false,
					description: 'Whether to output the export file itself as binary data (one item) instead of one item per record',
				},
				{
					displayName: 'Put Output File in Field',
					name: 'binaryPropertyName',
					type: 'string',
					default: 'data',
					description: 'The name of the binary field that holds the file',
					displayOptions: { show: { outputAsFile: [true] } },
				},
			],
		},
	];
}

const RERUN_HINT =
	'Hirebase download links are only valid for a limited time. Use the "Rerun" operation to export the same search again, then Get Results from the new task.';

/**
 * Get Results: one item per record of a finished export, or the file itself.
 * The file is streamed (streamDownload.ts): into n8n's binary data for Output
 * as File, or through the row parser (fileRowStream.ts), which stops the
 * download once a Limit is reached.
 */
export async function getHirebaseResults(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = readId(ctx, itemIndex, 'taskId', 'Task ID');
	const options = ctx.getNodeParameter('resultOptions', itemIndex, {}) as IDataObject;
	const limit = ctx.getNodeParameter('returnAll', itemIndex, true) ? undefined : readLimit(ctx, itemIndex, ctx.getNodeParameter('limit', itemIndex, 50));
	const task = await readHirebaseTask(ctx, id, itemIndex);
	const url = downloadUrlOf(ctx, task, itemIndex);

	const download = await openDownload(ctx, 'Hirebase', url, itemIndex);
	if (download.status >= 400) throw downloadError(ctx, task, download.status, await readSmallBody(download.body), url, itemIndex);

	const format = (task.format as string | null) ?? undefined;
	if (options.outputAsFile === true) {
		const field = String(options.binaryPropertyName ?? 'data').trim() || 'data';
		const fileName = fileNameOf(url, id, format);
		const mimeType = download.contentType.split(';')[0].trim() || (format === 'csv' ? 'text/csv' : 'application/json');
		// A stream goes to n8n's binary data store as it arrives (on disk in filesystem mode).
		const binary = await ctx.helpers.prepareBinaryData(download.body as never, fileName, mimeType);
		const stored = Number((binary as { bytes?: unknown }).bytes);
		const fileSize = download.contentLength ?? (Number.isFinite(stored) ? stored : null);
		return [
			{
				json: { taskId: id, fileName, format, recordCount: task.resultCount, fileSize },
				binary: { [field]: binary },
			},
		];
	}

	let rows: IDataObject[];
	try {
		rows = (await streamFileRows(download.body, { format: fileFormatOf(format), limit })).rows;
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `The export file of task ${id} could not be read: ${(error as Error).message}`, {
			itemIndex,
			description: 'Turn on "Output as File" to get the file as it is.',
		});
	}
	return rows.map((json) => ({ json }));
}

function readLimit(ctx: IExecuteFunctions, itemIndex: number, value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "Limit" must be a whole number of at least 1, but item ${itemIndex} gave "${String(value)}"`, {
			itemIndex,
		});
	}
	return n;
}

/** The task's file link, or an error that says why there is none (status, failure, expiry). */
function downloadUrlOf(ctx: IExecuteFunctions, task: CanonicalJob, itemIndex: number): string {
	if (task.status !== 'succeeded') {
		const detail = task.status === 'failed' && task.error ? `: ${task.error}` : '';
		throw new NodeOperationError(
			ctx.getNode(),
			`Task ${task.id} has no results to download: its status is "${task.status}" (Hirebase: "${task.providerStatus}")${detail}`,
			{
				itemIndex,
				description:
					task.done
						? 'Only a finished export has a file. Use "Rerun" to export the same search again.'
						: 'Run "Wait for Completion" first, or start this workflow with the Hirebase Trigger when the task finishes.',
			},
		);
	}
	const url = typeof task.downloadUrl === 'string' ? task.downloadUrl.trim() : '';
	if (!/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(ctx.getNode(), `Task ${task.id} finished but Hirebase gave no download link for its file`, {
			itemIndex,
			description: `Task type "${String(task.type)}". ${RERUN_HINT}`,
		});
	}
	const expiresAt = typeof task.downloadExpiresAt === 'string' ? Date.parse(task.downloadExpiresAt) : NaN;
	if (Number.isFinite(expiresAt) && expiresAt <= Date.now()) {
		throw new NodeOperationError(ctx.getNode(), `The download link of task ${task.id} expired at ${String(task.downloadExpiresAt)}`, {
			itemIndex,
			description: RERUN_HINT,
		});
	}
	return url;
}

function downloadError(ctx: IExecuteFunctions, task: CanonicalJob, status: number, body: Buffer, url: string, itemIndex: number) {
	const text = body.toString('utf8', 0, Math.min(body.length, 2000));
	const expired = (status === 403 || status === 400) && /expired|AccessDenied/i.test(text);
	const host = safeHost(url);
	if (expired) {
		return new NodeOperationError(ctx.getNode(), `The download link of task ${task.id} has expired (the storage host ${host} answered ${status})`, {
			itemIndex,
			description: RERUN_HINT,
		});
	}
	const message = /<Message>([^<]*)<\/Message>/i.exec(text)?.[1] ?? text.replace(/\s+/g, ' ').trim().slice(0, 200);
	return new NodeOperationError(ctx.getNode(), `Could not download the export file of task ${task.id}: HTTP ${status}${message ? ` (${message})` : ''}`, {
		itemIndex,
		description: `Download link host: ${host}. ${RERUN_HINT}`,
	});
}

function fileFormatOf(format: string | undefined): FileFormat {
	if (format === 'csv') return 'csv';
	if (format === 'json') return 'json';
	return 'auto';
}

function fileNameOf(url: string, id: string, format: string | undefined): string {
	try {
		const last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
		if (/\.[a-z0-9]+$/i.test(last)) return last;
	} catch {
		/* fall through */
	}
	return `hirebase-export-${id}.${format === 'csv' ? 'csv' : 'json'}`;
}

