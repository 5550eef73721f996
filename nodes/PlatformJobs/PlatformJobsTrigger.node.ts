import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { outcomeFieldFor, outcomeSubtitle, watchedIdsField } from '../shared/descriptions';
import { parseIdList, pollWatchedJobs } from '../shared/trigger';
import type { OutcomeFilter } from '../shared/trigger';
import { readPlatformJob } from './platformJobs.adapter';
import { platformJobsApiTest } from './platformJobs.credentialTest';

export class PlatformJobsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Platform Jobs Trigger',
		name: 'platformJobsTrigger',
		icon: { light: 'file:../../icons/platformJobs.svg', dark: 'file:../../icons/platformJobs.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: outcomeSubtitle,
		description: 'Starts the workflow once for each watched job when it finishes',
		defaults: { name: 'Platform Jobs Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'platformJobsApi', required: true, testedBy: 'platformJobsApiTest' }],
		properties: [
			watchedIdsField(
				'jobIds',
				'Job IDs',
				'The jobs to watch: the "id" of each job as your Jobs API returns it (the API has no list of jobs).',
				'e.g. job_abc123, job_def456',
				'Map them from wherever the jobs are started ({{ $json.id }})',
			),
			outcomeFieldFor('job'),
		],
	};

	methods = { credentialTest: { platformJobsApiTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const ids = parseIdList(this, 'jobIds', 'Job IDs');
		const outcome = this.getNodeParameter('outcome', 'any') as OutcomeFilter;
		return pollWatchedJobs(this, ids, readPlatformJob, outcome);
	}
}
