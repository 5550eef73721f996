import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { outcomeFieldFor, outcomeSubtitle, watchedIdsField } from '../shared/descriptions';
import { parseIdList, pollWatchedJobs } from '../shared/trigger';
import type { OutcomeFilter } from '../shared/trigger';
import { readHasDataJob } from './hasData.adapter';
import { hasDataApiTest } from './hasData.credentialTest';

export class HasDataTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HasData Trigger',
		name: 'hasDataTrigger',
		icon: { light: 'file:../../icons/hasData.svg', dark: 'file:../../icons/hasData.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: outcomeSubtitle,
		description: 'Starts the workflow once for each watched HasData scraper job when it finishes (polling)',
		defaults: { name: 'HasData Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hasDataApi', required: true, testedBy: 'hasDataApiTest' }],
		properties: [
			{
				displayName:
					'Checks the jobs below on a schedule, so it works even when n8n cannot be reached from the internet. To start instantly without polling, use the HasData Webhook Trigger instead.',
				name: 'pollingNotice',
				type: 'notice',
				default: '',
			},
			watchedIdsField(
				'jobIds',
				'Job IDs',
				'The scraper jobs to watch: the "id" that the HasData node\'s Start outputs, a number (HasData has no list of jobs).',
				'e.g. 1284503, 1284504',
				'Map them from the HasData node\'s Start ({{ $json.id }}). <a href="https://docs.hasdata.com" target="_blank">HasData scraper jobs</a>',
			),
			outcomeFieldFor('job'),
		],
	};

	methods = { credentialTest: { hasDataApiTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const ids = parseIdList(this, 'jobIds', 'Job IDs');
		const outcome = this.getNodeParameter('outcome', 'any') as OutcomeFilter;
		return pollWatchedJobs(this, ids, readHasDataJob, outcome);
	}
}
