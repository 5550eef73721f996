/**
 * Found by the end-to-end tests in a real n8n: n8n saves a workflow's static data
 * only when it notices a write (ObservableObject). An array created during a poll
 * is not observed, so pushing into it alone left later fired jobs unsaved, and
 * they fired again after an n8n restart.
 */
import { ObservableObject } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { FiredJobs } from '../../nodes/shared/trigger';

describe('FiredJobs and n8n static data change tracking', () => {
	it('marks static data changed for every job added, also in an array it created', () => {
		const root = ObservableObject.create({}) as IDataObject & { __dataChanged: boolean };
		root['node:Trigger'] = ObservableObject.create({}, root);
		const nodeData = root['node:Trigger'] as IDataObject;

		new FiredJobs(nodeData).add('job-1');
		expect(root.__dataChanged).toBe(true);
		root.__dataChanged = false; // n8n saved it

		new FiredJobs(nodeData).add('job-2');
		expect(root.__dataChanged).toBe(true);
		expect(nodeData.firedJobs).toEqual(['job-1', 'job-2']);
	});
});
