/**
 * Found by the end-to-end tests in a real n8n: n8n saves a workflow's static data
 * only when it notices a write (ObservableObject). An array created during a poll
 * is not observed, so pushing into it alone left later fired jobs unsaved, and
 * they fired again after an n8n restart.
 */
import { ObservableObject } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import type { CanonicalJob } from '../../nodes/shared/job';
import { pollListedJobs } from '../../nodes/shared/listTrigger';
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

		root.__dataChanged = false;
		new FiredJobs(nodeData).remove('job-1');
		expect(root.__dataChanged).toBe(true);
		expect(nodeData.firedJobs).toEqual(['job-2']);
	});
});

describe('pollListedJobs and n8n static data change tracking', () => {
	const job = (id: string, finishedAt: string) =>
		({ id, provider: 'p', status: 'succeeded', providerStatus: 'done', done: true, progress: 100, createdAt: null, startedAt: null, finishedAt, error: null, resultCount: 0, raw: {} }) as CanonicalJob;

	it('marks static data changed on every poll that learns something, so a restart does not re-fire', async () => {
		const root = ObservableObject.create({}) as IDataObject & { __dataChanged: boolean };
		root['node:Trigger'] = ObservableObject.create({}, root);
		const nodeData = root['node:Trigger'] as IDataObject;
		const listing: CanonicalJob[] = [];
		const poll = () =>
			pollListedJobs(nodeData, { scopes: ['s1'], listJobs: async () => listing, filter: 'any', canAfford: () => true });

		await poll(); // baseline
		expect(root.__dataChanged).toBe(true);
		root.__dataChanged = false; // n8n saved it

		listing.push(job('run-1', new Date(Date.now() + 1000).toISOString()));
		expect((await poll()).fired.map((j) => j.id)).toEqual(['run-1']);
		expect(root.__dataChanged).toBe(true);

		// What n8n saved is what a restarted n8n loads: run-1 must not fire again.
		const reloaded = JSON.parse(JSON.stringify(nodeData)) as IDataObject;
		const again = await pollListedJobs(reloaded, { scopes: ['s1'], listJobs: async () => listing, filter: 'any', canAfford: () => true });
		expect(again.fired).toEqual([]);
	});
});
