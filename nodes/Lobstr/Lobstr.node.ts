import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { checkAndRouteFields, idField, operationSubtitle, returnAllAndLimit, routedOutputs, waitFields, waitForCompletionToggle } from '../shared/descriptions';
import { checkAndRouteOperation } from '../shared/durableLoop';
import { getJobOperation, startOperation, waitOperation } from '../shared/jobOperations';
import { readId } from '../shared/params';
import { collectPages, rowLimit } from '../shared/results';
import { perItem, route } from '../shared/router';
import type { Operation } from '../shared/router';
import { abortRun, PAGE_SIZE, prepareRerun, readRun, readTask, resultsPage, startRun } from './lobstr.adapter';
import type { ResultsScope } from './lobstr.adapter';
import { getSquids, readSquid, searchSquids, squidLocator } from './lobstr.methods';

const taskHash = { name: 'taskHash', label: 'Task Hash' };
const runId = { name: 'runId', label: 'Run ID' };

const operations: Record<string, Operation> = {
	'task:get': getJobOperation(taskHash, readTask),
	'task:waitForCompletion': waitOperation(taskHash, readTask),
	'task:checkAndRoute': checkAndRouteOperation(taskHash, readTask),
	'run:start': startOperation(async (ctx, i) => {
		const squid = readSquid(ctx, i);
		return async () => startRun(ctx, squid, i);
	}, readRun),
	'run:get': getJobOperation(runId, readRun),
	'run:waitForCompletion': waitOperation(runId, readRun),
	'run:checkAndRoute': checkAndRouteOperation(runId, readRun),
	'run:rerun': startOperation(async (ctx, i) => prepareRerun(ctx, readId(ctx, i, runId.name, runId.label), i), readRun),
	'run:abort': perItem(async (ctx, i) => abortRun(ctx, readId(ctx, i, runId.name, runId.label), i)),
	'result:getResults': perItem(async (ctx, i) => getResults(ctx, i)),
};

async function getResults(ctx: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const source = ctx.getNodeParameter('source', i, 'run') as string;
	let scope: ResultsScope;
	if (source === 'run') scope = { run: readId(ctx, i, runId.name, runId.label) };
	else if (source === 'squid') scope = { squid: readSquid(ctx, i) };
	else throw new NodeOperationError(ctx.getNode(), `The parameter "Results Of" has an unknown value "${source}" in item ${i}`, { itemIndex: i });
	const options = ctx.getNodeParameter('resultOptions', i, {}) as IDataObject;
	const task = typeof options.task === 'string' && options.task.trim() ? options.task.trim() : undefined;
	const limit = rowLimit(ctx.getNodeParameter('returnAll', i, false) as boolean, ctx.getNodeParameter('limit', i, 50));
	let warning: string | null = null;
	const rows = await collectPages(
		async (page, pageSize) => {
			const result = await resultsPage(ctx, scope, task, page, pageSize, i);
			warning ??= result.warning;
			return result;
		},
		// Two pages at a time: the /results limit (2 req/s, kept by the adapter's bucket) is
		// then used to the full while each answer's latency overlaps the next request.
		{ limit, pageSize: PAGE_SIZE, concurrency: 2, what: `the results of ${scope.run ? `run ${scope.run}` : `squid ${scope.squid}`}` },
	);
	if (!warning) return rows;
	// A capped list must never look complete: say so on every row and above the output.
	const what = scope.run ? `run ${scope.run}` : `squid ${scope.squid}`;
	const text = `Lobstr capped the results of ${what}: ${warning}`;
	addHint(ctx, `${text} (${rows.length} row${rows.length === 1 ? '' : 's'} output)`);
	return rows.map((row) => ({ ...row, resultsWarning: text }));
}

/** Shows a warning above the node's output in the editor (n8n 1.40+; older versions skip it). */
function addHint(ctx: IExecuteFunctions, message: string): void {
	if (typeof ctx.addExecutionHints === 'function') ctx.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
}

const runOps = (...ops: string[]) => ({ resource: ['run'], operation: ops });

export class Lobstr implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Lobstr',
		name: 'lobstr',
		icon: { light: 'file:../../icons/lobstr.svg', dark: 'file:../../icons/lobstr.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["resource"] + ": " + $parameter["operation"] }}',
		description: 'Start, watch, rerun and abort Lobstr.io squid runs, read tasks, and get their results',
		defaults: { name: 'Lobstr' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: routedOutputs,
		credentials: [{ name: 'lobstrApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Result', value: 'result', description: 'Rows a run (or a squid) collected' },
					{ name: 'Run', value: 'run', description: 'One execution of all active tasks of a squid' },
					{ name: 'Task', value: 'task', description: 'One input row of a squid (e.g. a URL), with its own status' },
				],
				default: 'run',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['task'] } },
				options: [
					{ name: 'Check Status and Route', value: 'checkAndRoute', action: 'Check a task and route it by status', description: 'Read the task once: finished ones go to "Finished", the others to "Still Running" — loop those through a Wait node to follow tasks that run for hours' },
					{ name: 'Get', value: 'get', action: 'Get a task', description: "Read a task's status and its own result counts" },
					{ name: 'Wait for Completion', value: 'waitForCompletion', action: 'Wait for a task to finish', description: 'Wait until the task is completed, failed or aborted' },
				],
				default: 'get',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['run'] } },
				options: [
					{ name: 'Abort', value: 'abort', action: 'Abort a run', description: 'Stop a run; results collected so far are still exported' },
					{ name: 'Check Status and Route', value: 'checkAndRoute', action: 'Check a run and route it by status', description: 'Read the run once: finished ones go to "Finished", the others to "Still Running" — loop those through a Wait node to follow runs that run for hours' },
					{ name: 'Get', value: 'get', action: 'Get a run', description: "Read a run's status and progress" },
					{ name: 'Rerun', value: 'rerun', action: 'Rerun a run', description: "Start a new run of the run's squid" },
					{ name: 'Start', value: 'start', action: 'Start a run', description: 'Start a run of all active tasks of a squid' },
					{ name: 'Wait for Completion', value: 'waitForCompletion', action: 'Wait for a run to finish', description: 'Wait until the run is done, failed or aborted' },
				],
				default: 'start',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['result'] } },
				options: [
					{ name: 'Get Results', value: 'getResults', action: 'Get results', description: 'Output the rows of a run or a squid, one item per row' },
				],
				default: 'getResults',
			},
			idField('taskHash', 'Task Hash', 'The hash of the task (its hash_value), e.g. from the response that added it to the squid', { resource: ['task'], operation: ['get', 'waitForCompletion'] }, 'e.g. c5e29d2aba8b77cdc56391e7405302de'),
			...checkAndRouteFields({ resource: ['task'], operation: ['checkAndRoute'] }, { ...taskHash, placeholder: 'e.g. c5e29d2aba8b77cdc56391e7405302de' }, 'task'),
			...checkAndRouteFields({ resource: ['run'], operation: ['checkAndRoute'] }, { ...runId, placeholder: 'e.g. 6f2a1c0e9b8d4f3a8c7b6e5d4c3b2a19' }, 'run'),
			squidLocator(runOps('start'), 'The squid whose active tasks the run executes'),
			idField('runId', 'Run ID', 'The ID of the run, e.g. from Run → Start or the Lobstr Trigger', runOps('abort', 'get', 'rerun', 'waitForCompletion'), 'e.g. 6f2a1c0e9b8d4f3a8c7b6e5d4c3b2a19'),
			{
				displayName: 'If Already Finished',
				name: 'ifAlreadyFinished',
				type: 'options',
				default: 'output',
				description: 'What to do when the run had already ended, so there was nothing to abort (Lobstr answers "Run not found or already completed")',
				options: [
					{ name: 'Fail the Item', value: 'error', description: 'Stop with an error that names the final status' },
					{ name: 'Output the Run', value: 'output', description: 'Pass the run on with aborted: false and a message naming its final status' },
				],
				displayOptions: { show: runOps('abort') },
			},
			waitForCompletionToggle(runOps('rerun', 'start'), 'run'),
			...waitFields({ resource: ['task'], operation: ['waitForCompletion'] }),
			...waitFields(runOps('waitForCompletion')),
			...waitFields({ ...runOps('rerun', 'start'), waitForCompletion: [true] }),
			{
				displayName: 'Results Of',
				name: 'source',
				type: 'options',
				default: 'run',
				description: 'Whether to read the rows of one run or every row a squid has collected',
				displayOptions: { show: { resource: ['result'] } },
				options: [
					{ name: 'Run', value: 'run', description: 'The rows of one run' },
					{ name: 'Squid', value: 'squid', description: 'The rows of every run of a squid' },
				],
			},
			// Not `required`: "Results Of" may be an expression, and n8n would then demand both
			// the Run ID and the Squid. Each is checked when the node runs.
			{ ...idField('runId', 'Run ID', 'The ID of the run whose rows to output', { resource: ['result'], source: ['run'] }, 'e.g. 6f2a1c0e9b8d4f3a8c7b6e5d4c3b2a19'), required: false },
			squidLocator({ resource: ['result'], source: ['squid'] }, 'The squid whose rows to output', false),
			...returnAllAndLimit({ resource: ['result'] }),
			{
				displayName: 'Options',
				name: 'resultOptions',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { resource: ['result'] } },
				options: [
					{
						displayName: 'Task Hash',
						name: 'task',
						type: 'string',
						default: '',
						placeholder: 'e.g. c5e29d2aba8b77cdc56391e7405302de',
						description: 'Only the rows this task produced',
					},
				],
			},
		],
	};

	constructor() {
		// The canvas shows the labels of the picked resource and operation, not their values.
		this.description.subtitle = operationSubtitle(this.description.properties);
	}

	methods = {
		listSearch: { searchSquids },
		loadOptions: { getSquids },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route(this, operations);
	}
}
