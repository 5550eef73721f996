import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { outcomeFieldFor, outcomeSubtitle } from '../shared/descriptions';
import type { CanonicalJob } from '../shared/job';
import { pollListedJobs } from '../shared/listTrigger';
import { onePollAtATime, pollBudgetMs, pollKey, withDeadline } from '../shared/pollBudget';
import { capacityWithin } from '../shared/rateLimit';
import type { OutcomeFilter } from '../shared/trigger';
import { lobstrLimits, newestRuns, runToCanonical, squidsPage } from './lobstr.adapter';
import { getSquids } from './lobstr.methods';

/** How many of a squid's newest runs each poll looks at. */
const RUNS_PER_SQUID = 50;
/** At most this share of a /runs window is spent by one poll: Lobstr nodes in workflows need some too. */
const MAX_WINDOW_SHARE = 0.8;
/** A poll stops starting requests once this share of its time budget has gone (the rest is for answers in flight). */
const BUDGET_SHARE = 0.8;
/** Squid pages listed per poll at most (100 squids each). */
const MAX_SQUID_PAGES = 20;

export class LobstrTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Lobstr Trigger',
		name: 'lobstrTrigger',
		icon: { light: 'file:../../icons/lobstr.svg', dark: 'file:../../icons/lobstr.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: outcomeSubtitle,
		description: 'Starts the workflow once for each Lobstr.io run that finishes, on every squid or the ones you pick',
		defaults: { name: 'Lobstr Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'lobstrApi', required: true }],
		properties: [
			{
				displayName: 'Watch',
				name: 'watch',
				type: 'options',
				default: 'all',
				description: 'Which squids to watch for finished runs',
				options: [
					{ name: 'All Squids', value: 'all', description: 'Every squid of the account, including ones created later' },
					{ name: 'Selected Squids', value: 'selected', description: 'Only the squids picked below' },
				],
			},
			{
				displayName: 'Squid Names or IDs',
				name: 'squidIds',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getSquids' },
				// Not `required`: with "Watch" set by an expression n8n would demand it even
				// when it is hidden. Checked when the trigger polls.
				default: [],
				description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				displayOptions: { show: { watch: ['selected'] } },
			},
			outcomeFieldFor('run'),
			{
				displayName:
					'Runs that had already finished when the trigger was activated never fire. With many squids, each poll checks as many as Lobstr\'s rate limits allow and the next poll carries on.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = { loadOptions: { getSquids } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		// Bounded relative to the poll interval (retries included), and never two
		// polls of this trigger at once: see shared/pollBudget.ts.
		const budgetMs = pollBudgetMs(this);
		const run = async (): Promise<INodeExecutionData[][] | null> => {
			const started = Date.now();
			const ctx = withDeadline(this, started + budgetMs);
			const deadline = started + budgetMs * BUDGET_SHARE;
			const outcome = this.getNodeParameter('outcome', 'any') as OutcomeFilter;
			const squids = await watchedSquids(ctx, deadline);
			const listJobs = async (squid: string): Promise<CanonicalJob[]> =>
				(await newestRuns(ctx, squid, RUNS_PER_SQUID)).map((run) => runToCanonical({ squid, ...run }));

			// Never spend more /runs requests than fit in the rest of the budget, nor
			// most of a rate-limit window: the squids left over are next poll's.
			const maxPerPoll = Math.max(1, Math.floor(lobstrLimits.runs.maxRequests * MAX_WINDOW_SHARE));
			let spent = 0;
			const canAfford = () => {
				const left = deadline - Date.now();
				if (spent >= maxPerPoll || left <= 0) return false;
				if (capacityWithin(lobstrLimits.runs, left) < 1) return false;
				spent++;
				return true;
			};

			if (this.getMode() === 'manual') {
				// A sample to build the workflow with: the newest finished run. No state changes.
				let newest: CanonicalJob | undefined;
				for (const squid of squids) {
					if (!canAfford()) break;
					for (const job of await listJobs(squid)) {
						if (job.done && (!newest || (job.finishedAt ?? '') > (newest.finishedAt ?? ''))) newest = job;
					}
				}
				return newest ? [[{ json: newest }]] : null;
			}

			const result = await pollListedJobs(this.getWorkflowStaticData('node'), { scopes: squids, listJobs, filter: outcome, canAfford });
			if (result.gone.length) {
				this.logger?.warn(`${this.getNode().name}: Lobstr no longer knows squid(s) ${result.gone.join(', ')}; skipped. Remove them from "Squid Names or IDs".`);
			}
			if (result.fired.length) return [result.fired.map((json) => ({ json }))];
			// A listing cut short by the poll's deadline is not an error: the next poll carries on.
			if (result.error && Date.now() < started + budgetMs) throw result.error;
			return null;
		};
		return this.getMode() === 'manual' ? run() : onePollAtATime(pollKey(this), budgetMs, run);
	}
}

async function watchedSquids(ctx: IPollFunctions, deadline: number): Promise<string[]> {
	if (ctx.getNodeParameter('watch', 'all') === 'selected') {
		const picked = ctx.getNodeParameter('squidIds', []) as unknown;
		const list = Array.isArray(picked) ? picked : String(picked ?? '').split(/[\s,;]+/);
		const ids = [...new Set(list.map((v) => String(v).trim()).filter(Boolean))];
		if (ids.length === 0) {
			throw new NodeOperationError(ctx.getNode(), 'The parameter "Squid Names or IDs" is empty', {
				description: 'Pick at least one squid, or set "Watch" to "All Squids".',
			});
		}
		return ids;
	}
	const ids: string[] = [];
	for (let page = 1; page <= MAX_SQUID_PAGES; page++) {
		const result = await squidsPage(ctx, page);
		ids.push(...result.squids.map((s) => s.id));
		if (!result.hasMore || capacityWithin(lobstrLimits.squids, deadline - Date.now()) < 1) break;
	}
	// A stable order, so that the poll-to-poll rotation does not skip squids.
	return [...new Set(ids)].sort();
}
