import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { checkAndRouteFields, idField, operationSubtitle, returnAllAndLimit, routedOutputs, waitFields, waitForCompletionToggle } from '../shared/descriptions';
import { checkAndRouteOperation } from '../shared/durableLoop';
import { getJobOperation, startOperation, waitOperation } from '../shared/jobOperations';
import { perItem, route } from '../shared/router';
import type { Operation } from '../shared/router';
import {
	downloadHasDataFile,
	hasDataResults,
	readHasDataJob,
	rerunHasDataJob,
	SAME_SCRAPER,
	startHasDataJob,
	stopHasDataJob,
} from './hasData.adapter';
import { callbackSecretFields } from './hasData.callbackSecret';
import { hasDataCallbackWait } from './hasData.callback';
import { scraperInputFields } from './hasData.input';
import { SCRAPER_OPTIONS, WEBHOOK_EVENT_OPTIONS } from './hasData.constants';
import { hasDataApiTest } from './hasData.credentialTest';

const jobId = { name: 'jobId', label: 'Job ID' };

const operations: Record<string, Operation> = {
	'job:start': startOperation(startHasDataJob, readHasDataJob, hasDataCallbackWait.parking),
	'job:get': getJobOperation(jobId, readHasDataJob),
	'job:waitForCompletion': waitOperation(jobId, readHasDataJob),
	'job:checkAndRoute': checkAndRouteOperation(jobId, readHasDataJob),
	'job:rerun': startOperation(rerunHasDataJob, readHasDataJob, hasDataCallbackWait.parking),
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
		outputs: routedOutputs,
		credentials: [{ name: 'hasDataApi', required: true, testedBy: 'hasDataApiTest' }],
		// The resume address of "Wait Method: Until HasData Calls Back". Only a parked
		// execution answers on it; n8n never registers it as a production webhook.
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true, isFullPath: true }],
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
					{ name: 'Check Status and Route', value: 'checkAndRoute', action: 'Check a job and route it by status', description: 'Read the job once: finished ones go to "Finished", the others to "Still Running" — loop those through a Wait node to follow jobs that run for hours' },
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
				description: 'The HasData scraper to run',
				displayOptions: { show: { ...job, operation: ['start'] } },
			},
			{
				displayName: 'Scraper',
				name: 'scraper',
				type: 'options',
				options: [
					{ name: 'Same as the Original Job', value: SAME_SCRAPER, description: "The scraper the job ran on, from the output of the HasData node that started it" },
					...SCRAPER_OPTIONS,
				],
				default: SAME_SCRAPER,
				description: "Which scraper runs the job's input again. A job read from HasData does not name its scraper: with \"Same as the Original Job\", map the Job ID from the Start (or Rerun) output, whose items carry it.",
				displayOptions: { show: { ...job, operation: ['rerun'] } },
			},
			{
				// Not `required`: with "Scraper" set by an expression n8n cannot tell whether
				// this field is shown, and would refuse to run the node. Checked when it runs.
				displayName: 'Custom Slug',
				name: 'customSlug',
				type: 'string',
				default: '',
				placeholder: 'e.g. google-maps-reviews',
				description: "The scraper's slug: the last part of its address on hasdata.com, e.g. google-maps-reviews for hasdata.com/scrapers/google-maps-reviews",
				hint: 'Lowercase letters, digits and dashes. <a href="https://hasdata.com/scrapers" target="_blank">All scrapers</a>',
				displayOptions: { show: { ...job, operation: ['start', 'rerun'], scraper: ['custom'] } },
			},
			...scraperInputFields({ ...job, operation: ['start'] }),
			idField('jobId', 'Job ID', 'The ID of the scraper job: the "id" that Start outputs, a number', { ...job, operation: ['get', 'waitForCompletion', 'rerun', 'stop', 'getResults', 'downloadFile'] }, 'e.g. 1284503'),
			...checkAndRouteFields({ ...job, operation: ['checkAndRoute'] }, { ...jobId, placeholder: 'e.g. 1284503' }),
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
					...callbackSecretFields(),
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
			{
				displayName: 'Job Stopped for Lack of Credits',
				name: 'creditStop',
				type: 'options',
				default: 'cancelled',
				description:
					'HasData stops a job when the account runs out of credits; its status is "stopped", as after a Stop. The job always gets stopReason "credits" and a warning.',
				options: [
					{ name: 'Count as Cancelled', value: 'cancelled', description: 'Status "cancelled", with stopReason and warning saying why' },
					{ name: 'Count as Failed', value: 'failed', description: 'Status "failed" (so "On Failed or Cancelled Job" and IF nodes treat it as a failure)' },
				],
				displayOptions: { show: { ...job, operation: ['checkAndRoute', 'get', 'waitForCompletion', 'start', 'rerun'] } },
			},
			waitForCompletionToggle({ ...job, operation: ['start', 'rerun'] }),
			...waitFields({ ...job, operation: ['waitForCompletion'] }),
			{
				displayName: 'Wait Method',
				name: 'waitMethod',
				type: 'options',
				default: 'poll',
				displayOptions: { show: { ...job, operation: ['start', 'rerun'], waitForCompletion: [true] } },
				options: [
					{
						name: 'Check Regularly',
						value: 'poll',
						description: 'This node checks the job every poll interval and holds the execution meanwhile: for jobs of minutes',
					},
					{
						name: 'Until HasData Calls Back',
						value: 'callback',
						description: 'The execution is parked (no worker held, survives restarts) until HasData reports the job finished: for jobs of hours',
					},
				],
				hint: 'For "Until HasData Calls Back", HasData must reach this n8n: n8n\'s WEBHOOK_URL must be its public address',
			},
			...waitFields({ ...job, operation: ['start', 'rerun'], waitForCompletion: [true], waitMethod: ['poll'] }),
			{
				displayName: 'Callback Timeout (Hours)',
				name: 'callbackTimeout',
				type: 'number',
				default: 24,
				typeOptions: { minValue: 0.01, numberPrecision: 2 },
				description: 'If HasData has not reported every job finished by then, the execution goes on with the jobs as started, marked timedOut: true',
				displayOptions: { show: { ...job, operation: ['start', 'rerun'], waitForCompletion: [true], waitMethod: ['callback'] } },
			},
		],
	};

	methods = { credentialTest: { hasDataApiTest } };

	constructor() {
		// The canvas shows the labels of the picked resource and operation, not their values.
		this.description.subtitle = operationSubtitle(this.description.properties);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route(this, operations);
	}

	/**
	 * The resume webhook is served by n8n only while an execution of this node is
	 * parked, at an address that already names the execution: there is nothing to
	 * register with HasData beforehand (each job is started with its own address).
	 */
	webhookMethods = {
		default: {
			async checkExists(): Promise<boolean> {
				return true;
			},
			async create(): Promise<boolean> {
				return true;
			},
			async delete(): Promise<boolean> {
				return true;
			},
		},
	};

	/** HasData's callback to a parked execution (Wait Method "Until HasData Calls Back"). */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return hasDataCallbackWait.webhook.call(this);
	}
}
