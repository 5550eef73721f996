import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { outcomeFieldFor, outcomeSubtitle, watchedIdsField } from '../shared/descriptions';
import { parseIdList, pollWatchedJobs } from '../shared/trigger';
import type { OutcomeFilter } from '../shared/trigger';
import { readHirebaseTask } from './hirebase.adapter';
import { hirebaseApiTest } from './hirebase.credentialTest';

export class HirebaseTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hirebase Trigger',
		name: 'hirebaseTrigger',
		icon: { light: 'file:../../icons/hirebase.svg', dark: 'file:../../icons/hirebase.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: outcomeSubtitle,
		description: 'Starts the workflow once for each watched Hirebase task when it finishes',
		defaults: { name: 'Hirebase Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hirebaseApi', required: true, testedBy: 'hirebaseApiTest' }],
		properties: [
			watchedIdsField(
				'taskIds',
				'Task IDs',
				'The export tasks to watch: the "id" that Create Export outputs, a UUID (Hirebase has no list of tasks).',
				'e.g. 8107c787-16b9-4763-af74-e2c789a5169e',
				'Map them from Create Export ({{ $json.id }}). <a href="https://docs.hirebase.org/api-reference/tasks/get-task-status" target="_blank">What a task ID is</a>',
			),
			outcomeFieldFor('task'),
		],
	};

	methods = { credentialTest: { hirebaseApiTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const ids = parseIdList(this, 'taskIds', 'Task IDs');
		const outcome = this.getNodeParameter('outcome', 'any') as OutcomeFilter;
		return pollWatchedJobs(this, ids, readHirebaseTask, outcome);
	}
}
