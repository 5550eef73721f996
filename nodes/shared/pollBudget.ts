import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import type { RequestContext } from './transport';

/**
 * How long one poll of a trigger may take, and how polls of the same trigger
 * are kept from overlapping.
 *
 * n8n starts a poll on every Poll Times tick whether or not the previous poll
 * of that trigger has finished, so a poll slowed down by a slow API, retries or
 * a `Retry-After` could still be running when the next starts — and both would
 * emit the same job. Two rules keep that from happening:
 * - one poll per trigger at a time (in this n8n process, where every poll of a
 *   workflow runs): a tick that finds the previous poll still busy returns
 *   nothing and leaves the work to the next tick;
 * - each poll has a deadline relative to the poll interval, retries and rate
 *   limit waits included: at the deadline its requests are abandoned and what
 *   it did not read is the next poll's.
 */

/** Share of the shortest gap between two Poll Times ticks a poll may use. */
const INTERVAL_SHARE = 0.8;
/** Never less than this: one slow read plus a retry must fit, even when polling every few seconds. */
export const MIN_POLL_BUDGET_MS = 20_000;
/** When n8n does not say how long a poll may take (n8n 2.x says 5 minutes unless it runs polls under a lease). */
const DEFAULT_HOST_BUDGET_MS = 5 * 60_000;

interface PollTime extends IDataObject {
	mode?: string;
	value?: number;
	unit?: string;
	cronExpression?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The period of one cron field list like `*`, `*\/5`, `0,30`, `7` over `span` units of `unitMs`. */
function fieldPeriod(field: string, span: number, unitMs: number): number | undefined {
	if (field === '*') return unitMs;
	const step = /^\*\/(\d+)$/.exec(field);
	if (step) return Math.max(1, Number(step[1])) * unitMs;
	if (/^\d+(,\d+)+$/.test(field)) {
		const values = [...new Set(field.split(',').map(Number))].sort((a, b) => a - b);
		let gap = span - values[values.length - 1] + values[0];
		for (let i = 1; i < values.length; i++) gap = Math.min(gap, values[i] - values[i - 1]);
		return gap * unitMs;
	}
	return undefined;
}

/** The period of one Poll Times entry (an estimate for unusual cron expressions, erring short). */
function periodOf(entry: PollTime): number {
	switch (entry.mode) {
		case 'everyMinute':
			return MINUTE;
		case 'everyHour':
			return HOUR;
		case 'everyX':
			return Math.max(1, Number(entry.value) || 1) * (entry.unit === 'hours' ? HOUR : MINUTE);
		case 'everyDay':
			return 24 * HOUR;
		case 'everyWeek':
			return 7 * 24 * HOUR;
		case 'everyMonth':
			return 28 * 24 * HOUR;
		default: {
			const fields = String(entry.cronExpression ?? '').trim().split(/\s+/);
			const [minute, hour] = fields.length === 6 ? fields.slice(1) : fields;
			return fieldPeriod(minute ?? '*', 60, MINUTE) ?? fieldPeriod(hour ?? '*', 24, HOUR) ?? (hour === '*' ? HOUR : 24 * HOUR);
		}
	}
}

/**
 * The shortest time between two polls the node's Poll Times allow. Several
 * entries with the same period (e.g. twelve "every minute at second N"
 * entries, n8n's way to poll every 5 seconds) share it between them.
 */
export function pollIntervalMs(pollTimes: unknown): number {
	const entries = ((pollTimes as { item?: PollTime[] } | undefined)?.item ?? []).filter(Boolean);
	if (entries.length === 0) return MINUTE;
	const periods = entries.map(periodOf);
	const shortest = Math.min(...periods);
	const sharing = periods.filter((p) => p === shortest).length;
	return Math.max(1000, Math.floor(shortest / sharing));
}

/** How long this poll may take in all, retries and rate-limit waits included. */
export function pollBudgetMs(ctx: IPollFunctions): number {
	const withBudget = ctx as IPollFunctions & { getPollBudgetMs?: () => number };
	const host = typeof withBudget.getPollBudgetMs === 'function' ? withBudget.getPollBudgetMs() : DEFAULT_HOST_BUDGET_MS;
	let interval = MINUTE;
	try {
		interval = pollIntervalMs(ctx.getNodeParameter('pollTimes', {}));
	} catch {
		/* a context without Poll Times (tests, manual runs): one minute */
	}
	return Math.min(host, Math.max(MIN_POLL_BUDGET_MS, Math.floor(interval * INTERVAL_SHARE)));
}

/**
 * The same context, but its requests stop at `deadline`: the transport treats
 * the returned signal as "stop now" (in-flight requests are aborted, retry and
 * rate-limit waits end), so a slow or throttled API cannot stretch the poll.
 */
export function withDeadline<T extends RequestContext>(ctx: T, deadline: number): T {
	const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
	return new Proxy(ctx, {
		get(target, property) {
			if (property === 'getExecutionCancelSignal') return () => signal;
			const value = Reflect.get(target, property, target) as unknown;
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}

const busyUntil = new Map<string, number>();

/** A key for "this trigger node of this workflow". */
export function pollKey(ctx: IPollFunctions): string {
	const node = ctx.getNode();
	let workflowId = '';
	try {
		workflowId = String(ctx.getWorkflow().id ?? '');
	} catch {
		/* stand-in contexts */
	}
	return `${workflowId}:${node.id ?? node.name}`;
}

/**
 * Runs `poll` unless a poll of the same trigger is still busy (then returns
 * `null`: nothing new this tick). A poll that somehow outlives `budgetMs` by far
 * no longer blocks the next ones.
 */
export async function onePollAtATime<T>(key: string, budgetMs: number, poll: () => Promise<T>): Promise<T | null> {
	const now = Date.now();
	if ((busyUntil.get(key) ?? 0) > now) return null;
	const until = now + 2 * budgetMs + 5000;
	busyUntil.set(key, until);
	try {
		return await poll();
	} finally {
		if (busyUntil.get(key) === until) busyUntil.delete(key);
	}
}
