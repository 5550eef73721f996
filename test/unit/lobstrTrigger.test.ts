/**
 * The Lobstr Trigger against the emulator. Lobstr's per-minute limits are
 * scaled down to 2-second windows on BOTH sides (emulator and node) so that many
 * polls fit in a test; the per-window numbers (120 /runs, 120 /squids) are
 * Lobstr's own. Each poll is a real poll() call with a persistent static data
 * object, as n8n keeps it between polls.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { lobstrLimits } from '../../nodes/Lobstr/lobstr.adapter';
import { LobstrTrigger } from '../../nodes/Lobstr/LobstrTrigger.node';
import { waitForSlot } from '../../nodes/shared/rateLimit';
import { retryPolicy } from '../../nodes/shared/transport';
import type { RunOutcome } from '../emulators/lobstr';
import { pollContext } from '../helpers/n8nContext';
import { startLobstr } from '../helpers/lobstr';

const WINDOW_MS = 2000;
let lobstr: Awaited<ReturnType<typeof startLobstr>>;

beforeAll(async () => {
	retryPolicy.baseDelayMs = 20;
	lobstrLimits.runs = { ...lobstrLimits.runs, perMs: WINDOW_MS + 50 };
	lobstrLimits.squids = { ...lobstrLimits.squids, perMs: WINDOW_MS + 50 };
	lobstr = await startLobstr({ limits: { runs: { limit: 120, windowMs: WINDOW_MS }, squids: { limit: 120, windowMs: WINDOW_MS } } });
});
afterAll(() => lobstr.emulator.stop());

function counts() {
	return { runs: lobstr.emulator.server.count('GET', '/runs'), squids: lobstr.emulator.server.count('GET', '/squids') };
}

/** Runs one poll; returns the fired items and the requests it sent per endpoint family. */
async function poll(staticData: IDataObject, parameters: Record<string, unknown> = {}, budgetMs?: number) {
	const before = counts();
	const ctx = pollContext(lobstr.triggerOptions({ watch: 'all', outcome: 'any', ...parameters }, { staticData }));
	if (budgetMs !== undefined) (ctx as unknown as { getPollBudgetMs: () => number }).getPollBudgetMs = () => budgetMs;
	const output = (await new LobstrTrigger().poll.call(ctx)) as INodeExecutionData[][] | null;
	const after = counts();
	return { items: output ? output[0] : [], requests: { runs: after.runs - before.runs, squids: after.squids - before.squids } };
}

describe('Lobstr Trigger', () => {
	it('20 squids, 200 runs: each run that finishes after activation fires exactly once, within the rate limits', async () => {
		const squids = Array.from({ length: 20 }, (_, i) => lobstr.emulator.addSquid(`Watched ${i + 1}`));
		const long = { pendingMs: 0, runningMs: 3_600_000 };
		const before = new Set<string>();
		// Two finished runs per squid before the trigger is switched on, and one running.
		for (const squid of squids) {
			before.add(lobstr.emulator.addFinishedRun(squid, 60_000));
			before.add(lobstr.emulator.addFinishedRun(squid, 30_000, { outcome: 'error' }));
		}
		const active = new Map(squids.map((s) => [s, lobstr.emulator.addRun(s, long)]));
		const left = new Map(squids.map((s) => [s, 8])); // 8 more runs per squid finish while watched: 200 in all
		const rejectedBefore = lobstr.emulator.rejected;
		const staticData: IDataObject = {};

		const activation = await poll(staticData);
		expect(activation.items).toEqual([]);

		const finishedAfter = new Set<string>();
		const fired: string[] = [];
		const perPoll: string[] = [`#0 ${activation.requests.squids}+${activation.requests.runs}`];
		const outcomes: RunOutcome[] = ['done', 'error'];
		for (let step = 1; step <= 30 && [...left.values()].some((n) => n > 0); step++) {
			// Squids finish at different polls: some every poll, some every second or third.
			squids.forEach((squid, i) => {
				if (left.get(squid)! === 0 || step % ((i % 3) + 1) !== 0) return;
				const run = active.get(squid)!;
				lobstr.emulator.finishNow(run, outcomes[(step + i) % 2], (step + i) % 5 === 0 ? 'no_credits_left' : undefined);
				finishedAfter.add(run);
				left.set(squid, left.get(squid)! - 1);
				if (left.get(squid)! > 0) active.set(squid, lobstr.emulator.addRun(squid, long));
			});
			const { items, requests } = await poll(staticData);
			perPoll.push(`#${step} ${requests.squids}+${requests.runs}→${items.length}`);
			expect(requests.runs).toBeLessThanOrEqual(Math.floor(120 * 0.8));
			expect(requests.squids).toBeLessThanOrEqual(1);
			fired.push(...items.map((i) => String(i.json.id)));
		}
		// Two quiet polls: nothing new.
		for (const n of [1, 2]) {
			const { items } = await poll(staticData);
			perPoll.push(`quiet${n} →${items.length}`);
			expect(items).toEqual([]);
		}
		const rejected = lobstr.emulator.rejected - rejectedBefore;
		console.log(
			`Lobstr Trigger, 20 squids: ${before.size} runs finished before activation, ${finishedAfter.size} after; ` +
				`${fired.length} fired (${new Set(fired).size} distinct); 429s: ${rejected}. ` +
				`Requests per poll (/squids+/runs→fired): ${perPoll.join(', ')}`,
		);
		expect(before.size + finishedAfter.size + squids.length).toBe(220);
		expect(finishedAfter.size).toBe(160);
		expect(fired.length).toBe(new Set(fired).size);
		expect(new Set(fired)).toEqual(finishedAfter);
		expect(fired.some((id) => before.has(id))).toBe(false);
		expect(rejected).toBe(0);
	});

	it('fires the canonical run item with the outcome filter applied', async () => {
		const squid = lobstr.emulator.addSquid('Filtered');
		const staticData: IDataObject = {};
		await poll(staticData, { watch: 'selected', squidIds: [squid], outcome: 'failed' });
		const ok = lobstr.emulator.addFinishedRun(squid, 0);
		const bad = lobstr.emulator.addFinishedRun(squid, 0, { outcome: 'error' });
		const credits = lobstr.emulator.addFinishedRun(squid, 0, { doneReason: 'no_credits_left' });
		const { items, requests } = await poll(staticData, { watch: 'selected', squidIds: [squid], outcome: 'failed' });
		expect(requests).toEqual({ runs: 1, squids: 0 });
		expect(items.map((i) => i.json.id)).toEqual([bad]);
		expect(items[0].json).toMatchObject({ provider: 'lobstr', kind: 'run', status: 'failed', squid, done: true });

		const all = await poll({}, { watch: 'selected', squidIds: [squid], outcome: 'any' });
		expect(all.items).toEqual([]); // a new trigger: baseline only
		const other: IDataObject = {};
		await poll(other, { watch: 'selected', squidIds: [squid], outcome: 'succeeded' });
		const later = lobstr.emulator.addFinishedRun(squid, 0, { doneReason: 'no_credits_left' });
		const succeeded = await poll(other, { watch: 'selected', squidIds: [squid], outcome: 'succeeded' });
		expect(succeeded.items.map((i) => i.json.id)).toEqual([later]);
		expect(succeeded.items[0].json.warning).toBe('The run ended early: You ran out of credits');
		expect([ok, credits]).not.toContain(later);
	});

	it('with more squids than one poll may check, it rotates through them and still never fires old runs', async () => {
		const other = await startLobstr({ limits: { runs: { limit: 120, windowMs: WINDOW_MS }, squids: { limit: 120, windowMs: WINDOW_MS } } });
		try {
			const squids = Array.from({ length: 150 }, (_, i) => other.emulator.addSquid(`Many ${i}`));
			for (const squid of squids) other.emulator.addFinishedRun(squid, 60_000);
			const staticData: IDataObject = {};
			const pollOther = async () => {
				const before = other.emulator.server.count('GET', '/runs');
				const ctx = pollContext(other.triggerOptions({ watch: 'all', outcome: 'any' }, { staticData }));
				const output = (await new LobstrTrigger().poll.call(ctx)) as INodeExecutionData[][] | null;
				return { items: output ? output[0] : [], runs: other.emulator.server.count('GET', '/runs') - before };
			};
			const first = await pollOther();
			expect(first.items).toEqual([]);
			expect(first.runs).toBe(96);
			const checkedFirst = new Set(Object.keys((staticData.listWatch as { scopes: object }).scopes));
			// A squid the first poll could not reach gets a run that finishes now (after activation).
			const unreached = [...squids].sort().find((s) => !checkedFirst.has(s))!;
			const fresh = other.emulator.addFinishedRun(unreached, 0);
			const second = await pollOther();
			console.log(`Lobstr Trigger, 150 squids: /runs requests per poll ${first.runs}, ${second.runs}; 429s: ${other.emulator.rejected}`);
			expect(second.items.map((i) => i.json.id)).toEqual([fresh]);
			expect(Object.keys((staticData.listWatch as { scopes: object }).scopes)).toHaveLength(150);
			expect(other.emulator.rejected).toBe(0);
		} finally {
			await other.emulator.stop();
		}
	});

	it('a small poll budget makes a poll check fewer squids (none here) instead of waiting past it; the next poll catches up', async () => {
		const squids = Array.from({ length: 5 }, (_, i) => lobstr.emulator.addSquid(`Budget ${i}`));
		const staticData: IDataObject = {};
		await poll(staticData, { watch: 'selected', squidIds: squids });
		const run = lobstr.emulator.addFinishedRun(squids[3], 0);
		// Other Lobstr nodes in this n8n process have just used the whole /runs window.
		await new Promise((r) => setTimeout(r, lobstrLimits.runs.perMs + 50));
		for (let n = 0; n < lobstrLimits.runs.maxRequests; n++) (await waitForSlot(lobstrLimits.runs.bucket, lobstrLimits.runs))();
		const started = Date.now();
		const starved = await poll(staticData, { watch: 'selected', squidIds: squids }, 1000);
		expect(Date.now() - started).toBeLessThan(1000);
		expect(starved.requests.runs).toBe(0);
		expect(starved.items).toEqual([]);
		const next = await poll(staticData, { watch: 'selected', squidIds: squids }, 60_000);
		expect(next.items.map((i) => i.json.id)).toEqual([run]);
	});

	it('manual mode returns the newest finished run as a sample and changes no state', async () => {
		const squid = lobstr.emulator.addSquid('Sample');
		lobstr.emulator.addFinishedRun(squid, 60_000);
		const newest = lobstr.emulator.addFinishedRun(squid, 1_000);
		lobstr.emulator.addRun(squid, { pendingMs: 0, runningMs: 60_000 });
		const staticData: IDataObject = {};
		const ctx = pollContext(lobstr.triggerOptions({ watch: 'selected', squidIds: [squid], outcome: 'any' }, { staticData, mode: 'manual' }));
		const output = (await new LobstrTrigger().poll.call(ctx)) as INodeExecutionData[][];
		expect(output[0].map((i) => i.json.id)).toEqual([newest]);
		expect(staticData).toEqual({});
	});

	it('names the parameter when no squid is picked', async () => {
		const ctx = pollContext(lobstr.triggerOptions({ watch: 'selected', squidIds: [], outcome: 'any' }, { staticData: {} }));
		await expect(new LobstrTrigger().poll.call(ctx)).rejects.toThrow('The parameter "Squid Names or IDs" is empty');
	});
});
