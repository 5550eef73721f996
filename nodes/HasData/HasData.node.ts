import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { idField, operationSubtitle, returnAllAndLimit, waitFields, waitForCompletionToggle } from '../shared/descriptions';
import { getJobOperation, startOperation, waitOperation } from '../shared/jobOperations';
import { perItem, route } from '../shared/router';
import type { Operation } from '../shared/router';
import {
	downloadHasDataFile,
	hasDataResults,
	readHasDataJob,
	rerunHasDataJob,
	startHasDataJob,
	stopHasDataJob,
} from './hasData.adapter';
import { scraperInputFields } from './hasData.input';
import { SCRAPER_OPTIONS, WEBHOOK_EVENT_OPTIONS } from './hasData.constants';

const jobId = { name: 'jobId', label: 'Job ID' };

const operations: Record<string, Operation> = {
	'job:start': startOperation(startHasDataJob, readHasDataJob),
	'job:get': getJobOperation(jobId, readHasDataJob),
	'job:waitForCompletion': waitOperation(jobId, readHasDataJob),
	'job:rerun': startOperation(rerunHasDataJob, readHasDataJob),
	'job:stop': perItem(stopHasDataJob),
	'job:getResults': perItem(hasDataResults),
	'job:downloadFile': perItem(async (ctx, i) => [await downloadHasDataFile(ctx, i)]),
};

const job = { resource: ['job'] };

export class HasData implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HasData',
		name: 'hasData',
		icon: { light: 'file:../../icons/hasData.svg', dark: 'file:../../icons/hasData.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Start, watch, stop and rerun HasData scraper jobs, and collect their rows and files',
		defaults: { name: 'HasData' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hasDataApi', required: true }],
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
				displayOptions: { show: job },
				options: [
					{ name: 'Download File', value: 'downloadFile', action: 'Download the file of a job', description: "Get a finished job's CSV, JSON or XLSX file as binary data" },
					{ name: 'Get', value: 'get', action: 'Get a job', description: "Read a job's status, row count and credits spent" },
					{ name: 'Get Results', value: 'getResults', action: 'Get the results of a job', description: "Output a job's scraped rows, one item per row" },
					{ name: 'Rerun', value: 'rerun', action: 'Rerun a job', description: "Start a new job with an earlier job's input" },
					{ name: 'Start', value: 'start', action: 'Start a scraper job', description: 'Start a scraper job with the given input' },
					{ name: 'Stop', value: 'stop', action: 'Stop a job', description: 'Stop a pending or running job; the rows scraped so far stay readable' },
					{ name: 'Wait for Completion', value: 'waitForCompletion', action: 'Wait for a job to finish', description: 'Wait until the job is finished, stopped or failed' },
				],
				default: 'start',
			},
			{
				displayName: 'Scraper',
				name: 'scraper',
				type: 'options',
				options: SCRAPER_OPTIONS,
				default: 'crawler',
				description: 'The HasData scraper to run. For Rerun, pick the scraper the original job ran on: a HasData job does not say which it was.',
				displayOptions: { show: { ...job, operation: ['start', 'rerun'] } },
			},
			{
				displayName: 'Custom Slug',
				name: 'customSlug',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. google-maps-reviews',
				description: "The scraper's slug: the last part of its address on hasdata.com, e.g. google-maps-reviews for hasdata.com/scrapers/google-maps-reviews",
				hint: 'Lowercase letters, digits and dashes. <a href="https://hasdata.com/scrapers" target="_blank">All scrapers</a>',
				displayOptions: { show: { ...job, operation: ['start', 'rerun'], scraper: ['custom'] } },
			},
			...scraperInputFields({ ...job, operation: ['start'] }),
			idField('jobId', 'Job ID', 'The ID of the scraper job: the "id" that Start outputs, a number', { ...job, operation: ['get', 'waitForCompletion', 'rerun', 'stop', 'getResults', 'downloadFile'] }, 'e.g. 1284503'),
			{
				displayName: 'Webhook',
				name: 'webhookOptions',
				type: 'collection',
				placeholder: 'Add Webhook',
				default: {},
				description: 'Have HasData call an address when the job starts, scrapes rows or finishes',
				displayOptions: { show: { ...job, operation: ['start', 'rerun'] } },
				options: [
					{
						displayName: 'Webhook Events',
						name: 'webhookEvents',
						type: 'multiOptions',
						options: WEBHOOK_EVENT_OPTIONS,
						default: ['scraper.job.finished'],
						description: 'Which events HasData sends to the Webhook URL',
					},
					{
						displayName: 'Webhook URL',
						name: 'webhookUrl',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://n8n.example.com/webhook/…/hasdata',
						description: 'Where HasData sends the events, e.g. the Production URL of a HasData Webhook Trigger node. For Rerun, the original job\'s webhook is only used again if you set one here.',
					},
				],
			},
			{
				displayName: 'If Already Finished',
				name: 'ifAlreadyFinished',
				type: 'options',
				default: 'output',
				description: 'What to do when the job had already ended, so there is nothing to stop',
				options: [
					{ name: 'Fail the Item', value: 'error', description: 'Stop with an error that names the final status' },
					{ name: 'Output the Job', value: 'output', description: 'Pass the job on with stopped: false and a message naming its final status' },
				],
				displayOptions: { show: { ...job, operation: ['stop'] } },
			},
			...returnAllAndLimit({ ...job, operation: ['getResults'] }),
			{
				displayName: 'File Format',
				name: 'fileFormat',
				type: 'options',
				default: 'csv',
				description: 'Which of the files HasData makes for a finished job to download',
				options: [
					{ name: 'CSV', value: 'csv' },
					{ name: 'JSON', value: 'json' },
					{ name: 'XLSX (Excel)', value: 'xlsx' },
				],
				displayOptions: { show: { ...job, operation: ['downloadFile'] } },
			},
			{
				displayName: 'Put Output File in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				required: true,
				description: 'The name of the output binary field to put the file in',
				displayOptions: { show: { ...job, operation: ['downloadFile'] } },
			},
			waitForCompletionToggle({ ...job, operation: ['start', 'rerun'] }),
			...waitFields({ ...job, operation: ['waitForCompletion'] }),
			...waitFields({ ...job, operation: ['start', 'rerun'], waitForCompletion: [true] }),
		],
	};

	constructor() {
		// The canvas shows the labels of the picked resource and operation, not their values.
		this.description.subtitle = operationSubtitle(this.description.properties);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route(this, operations);
	}
}
