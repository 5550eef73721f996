import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { checkAndRouteFields, idField, operationSubtitle, routedOutputs, waitFields, waitForCompletionToggle } from '../shared/descriptions';
import { checkAndRouteOperation } from '../shared/durableLoop';
import { getJobOperation, startOperation, waitOperation } from '../shared/jobOperations';
import { perItem, route } from '../shared/router';
import type { Operation } from '../shared/router';
import { readHirebaseTask, rerunHirebaseTask, startHirebaseExport } from './hirebase.adapter';
import { getHirebaseResults, resultFields } from './hirebase.results';
import { buildSearch, exportFields, readFormat } from './hirebase.search';
import { hirebaseApiTest } from './hirebase.credentialTest';

const taskId = { name: 'taskId', label: 'Task ID' };

const operations: Record<string, Operation> = {
	'task:createExport': startOperation(async (ctx, i) => {
		const search = buildSearch(ctx, i);
		const format = readFormat(ctx, i);
		return async () => startHirebaseExport(ctx, search, format, i);
	}, readHirebaseTask),
	'task:get': getJobOperation(taskId, readHirebaseTask),
	'task:waitForCompletion': waitOperation(taskId, readHirebaseTask),
	'task:checkAndRoute': checkAndRouteOperation(taskId, readHirebaseTask),
	'task:rerun': startOperation(rerunHirebaseTask, readHirebaseTask),
	'task:getResults': perItem(getHirebaseResults),
};

export class Hirebase implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hirebase',
		name: 'hirebase',
		icon: { light: 'file:../../icons/hirebase.svg', dark: 'file:../../icons/hirebase.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Export job postings from Hirebase, wait for the export and turn its file into items',
		defaults: { name: 'Hirebase' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: routedOutputs,
		credentials: [{ name: 'hirebaseApi', required: true, testedBy: 'hirebaseApiTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Task', value: 'task' }],
				default: 'task',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['task'] } },
				options: [
					{ name: 'Check Status and Route', value: 'checkAndRoute', action: 'Check a task and route it by status', description: 'Read the task once: finished ones go to "Finished", the others to "Still Running" — loop those through a Wait node to follow tasks that run for hours' },
					{ name: 'Create Export', value: 'createExport', action: 'Create a job data export', description: 'Start exporting the jobs that match a search, as a JSON or CSV file' },
					{ name: 'Get', value: 'get', action: 'Get a task', description: "Read a task's current state and progress" },
					{ name: 'Get Results', value: 'getResults', action: 'Get the results of an export', description: "Download a finished export's file and output one item per record" },
					{ name: 'Rerun', value: 'rerun', action: 'Rerun an export', description: "Start a new export with an earlier task's search and format" },
					{ name: 'Wait for Completion', value: 'waitForCompletion', action: 'Wait for a task to finish', description: 'Wait until the task is completed or failed' },
				],
				default: 'createExport',
			},
			idField(
				'taskId',
				'Task ID',
				'The ID of the Hirebase task, e.g. from the output of Create Export',
				{ resource: ['task'], operation: ['get', 'getResults', 'rerun', 'waitForCompletion'] },
				'e.g. 8107c787-16b9-4763-af74-e2c789a5169e',
			),
			...checkAndRouteFields({ resource: ['task'], operation: ['checkAndRoute'] }, { ...taskId, placeholder: 'e.g. 8107c787-16b9-4763-af74-e2c789a5169e' }, 'task'),
			...exportFields({ resource: ['task'], operation: ['createExport'] }),
			waitForCompletionToggle({ resource: ['task'], operation: ['createExport', 'rerun'] }, 'export'),
			...waitFields({ resource: ['task'], operation: ['waitForCompletion'] }),
			...waitFields({ resource: ['task'], operation: ['createExport', 'rerun'], waitForCompletion: [true] }),
			...resultFields({ resource: ['task'], operation: ['getResults'] }),
		],
	};

	methods = { credentialTest: { hirebaseApiTest } };

	constructor() {
		// The canvas shows the labels of the picked resource and operation, not their values.
		this.description.subtitle = operationSubtitle(this.description.properties);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route(this, operations);
	}
}
