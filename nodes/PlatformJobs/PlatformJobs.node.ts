import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { checkAndRouteFields, idField, operationSubtitle, routedOutputs, waitFields, waitForCompletionToggle } from '../shared/descriptions';
import { checkAndRouteOperation } from '../shared/durableLoop';
import { getJobOperation, startOperation, waitOperation } from '../shared/jobOperations';
import { readId } from '../shared/params';
import { perItem, route } from '../shared/router';
import type { Operation } from '../shared/router';
import { KNOWN_ROW_KEYS, pickRows, readPlatformJob, rerunPlatformJob } from './platformJobs.adapter';
import { platformJobsApiTest } from './platformJobs.credentialTest';

const jobId = { name: 'jobId', label: 'Job ID' };

const operations: Record<string, Operation> = {
	'job:get': getJobOperation(jobId, readPlatformJob),
	'job:waitForCompletion': waitOperation(jobId, readPlatformJob),
	'job:checkAndRoute': checkAndRouteOperation(jobId, readPlatformJob),
	'job:rerun': startOperation(rerunPlatformJob, readPlatformJob),
	'job:getResult': perItem(async (ctx, i) => {
		const job = await readPlatformJob(ctx, readId(ctx, i, jobId.name, jobId.label), i);
		if (job.status !== 'succeeded') {
			throw new NodeOperationError(ctx.getNode(), `Job ${job.id} has no result yet: its status is "${job.status}" (${job.providerStatus})`, {
				itemIndex: i,
				description: 'Wait for the job first: "Wait for Completion" for jobs of minutes, or "Check Status and Route" in a loop with a Wait node for jobs of hours.',
			});
		}
		const field = String(ctx.getNodeParameter('rowsField', i, '') ?? '').trim();
		const pick = pickRows(job.result, field || undefined);
		const fields = job.result && typeof job.result === 'object' ? Object.keys(job.result as IDataObject) : [];
		if (pick.kind === 'ambiguous') {
			throw new NodeOperationError(ctx.getNode(), `Job ${job.id}'s result has several lists (${pick.fields.join(', ')}): set "Rows Field" to the one that holds the rows`, {
				itemIndex: i,
				description: `None of them has a usual row name (${KNOWN_ROW_KEYS.join(', ')}), so the node does not guess.`,
			});
		}
		if (pick.kind === 'none' && field) {
			throw new NodeOperationError(ctx.getNode(), `Job ${job.id}'s result has no list at "${field}" (the "Rows Field" parameter)`, {
				itemIndex: i,
				description: `The result's fields are: ${fields.join(', ') || 'none'}. Enter the name of the one that holds the rows, or leave "Rows Field" empty.`,
			});
		}
		if (pick.kind === 'none') return [(job.result as IDataObject) ?? {}];
		if (pick.rows.length === 0) {
			// No items means the next nodes do not run: say why above the output.
			addHint(ctx, `Job ${job.id} finished, but its result${pick.field ? `.${pick.field}` : ''} has no rows, so nothing was output.`);
		}
		return pick.rows.map((row) => (row && typeof row === 'object' && !Array.isArray(row) ? row : { value: row }));
	}),
};

/** Shows a warning above the node's output in the editor (n8n 1.40+; older versions skip it). */
function addHint(ctx: IExecuteFunctions, message: string): void {
	if (typeof ctx.addExecutionHints === 'function') ctx.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
}

export class PlatformJobs implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Platform Jobs',
		name: 'platformJobs',
		icon: { light: 'file:../../icons/platformJobs.svg', dark: 'file:../../icons/platformJobs.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Get, wait for, and rerun jobs of a self-hosted Platform Jobs API',
		defaults: { name: 'Platform Jobs' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: routedOutputs,
		credentials: [{ name: 'platformJobsApi', required: true, testedBy: 'platformJobsApiTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Job', value: 'job' }],
				default: 'job',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['job'] } },
				options: [
					{ name: 'Check Status and Route', value: 'checkAndRoute', action: 'Check a job and route it by status', description: 'Read the job once: finished ones go to "Finished", the others to "Still Running" — loop those through a Wait node to follow jobs that run for hours' },
					{ name: 'Get', value: 'get', action: 'Get a job', description: "Read a job's current status and progress" },
					{ name: 'Get Result', value: 'getResult', action: 'Get the result of a job', description: "Output a finished job's result, one item per row" },
					{ name: 'Rerun', value: 'rerun', action: 'Rerun a job', description: 'Start a failed or finished job again, as a new job' },
					{ name: 'Wait for Completion', value: 'waitForCompletion', action: 'Wait for a job to finish', description: 'Wait until the job is completed, failed or cancelled' },
				],
				default: 'get',
			},
			idField('jobId', 'Job ID', 'The ID of the job, e.g. from the API response that created it', { resource: ['job'], operation: ['get', 'getResult', 'rerun', 'waitForCompletion'] }, 'e.g. job_abc123'),
			...checkAndRouteFields({ resource: ['job'], operation: ['checkAndRoute'] }, { ...jobId, placeholder: 'e.g. job_abc123' }),
			{
				displayName: 'Rows Field',
				name: 'rowsField',
				type: 'string',
				default: '',
				placeholder: 'e.g. rows',
				description:
					"The field of the job's result that holds the rows (a dot path such as data.rows works). Leave empty to use rows, items, records, results, data or entries — whichever the result has.",
				displayOptions: { show: { resource: ['job'], operation: ['getResult'] } },
			},
			waitForCompletionToggle({ resource: ['job'], operation: ['rerun'] }),
			...waitFields({ resource: ['job'], operation: ['waitForCompletion'] }),
			...waitFields({ resource: ['job'], operation: ['rerun'], waitForCompletion: [true] }),
		],
	};

	methods = { credentialTest: { platformJobsApiTest } };

	constructor() {
		// The canvas shows the labels of the picked resource and operation, not their values.
		this.description.subtitle = operationSubtitle(this.description.properties);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route(this, operations);
	}
}
