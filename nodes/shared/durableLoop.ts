/**
 * "Check Status and Route": the durable way to follow jobs that run for hours.
 *
 * n8n cannot poll durably inside one node: a node that parks its execution
 * (putExecutionToWait) is skipped on a time-based resume. So the loop goes
 * through n8n's own Wait node, which parks the execution in the database
 * (for waits of 65 s or more), holds no worker and survives restarts:
 *
 *   Start ─► Check Status and Route ─[Finished]─► Get Results ─► …
 *                 ▲            └─[Still Running]─► Wait (≥ 65 s) ─┐
 *                 └──────────────────────────────────────────────┘
 *
 * Each pass reads every item's job once. The wait's own state (when it began,
 * how many checks) travels on the item, so "Give Up After", `waitedSeconds`
 * and `polls` hold across passes, restarts and workers.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { isTransientFailure } from './failures';
import type { CanonicalJob } from './job';
import { failFastUnlessContinuing, linkFields, settle } from './jobOperations';
import type { IdParameter, JobReader, SettleSettings } from './jobOperations';
import { readId } from './params';
import type { ItemResult, Operation } from './router';
import { forEachLimited } from './wait';

export const FINISHED_OUTPUT = 0;
export const STILL_RUNNING_OUTPUT = 1;

/** How many jobs are read at once in one pass. */
const READ_CONCURRENCY = 5;

/** The wait state an item carries from one pass to the next. */
interface CarriedWait {
	startedAtMs: number;
	polls: number;
}

export function checkAndRouteOperation(id: IdParameter, read: JobReader): Operation {
	return {
		outputs: 2,
		async run(ctx, itemIndexes) {
			const results: ItemResult[] = [];
			const checks: Array<{ itemIndex: number; jobId: string; settings: LoopSettings }> = [];
			for (const i of itemIndexes) {
				try {
					checks.push({ itemIndex: i, jobId: readId(ctx, i, id.name, id.label), settings: readLoopSettings(ctx, i) });
				} catch (error) {
					results[i] = error as Error;
				}
			}
			failFastUnlessContinuing(ctx, results);

			const reads = await readEachOnce(ctx, [...new Set(checks.map((c) => c.jobId))], read, checks);
			const now = Date.now();
			const input = ctx.getInputData();
			for (const check of checks) {
				const inputJson = input[check.itemIndex]?.json ?? {};
				const carried = carriedWait(inputJson, check.jobId);
				const startedAtMs = carried?.startedAtMs ?? now;
				const polls = (carried?.polls ?? 0) + 1;
				const waitedMs = now - startedAtMs;
				const keep = sameJob(inputJson, check.jobId) ? withoutWaitFields(linkFields(inputJson as CanonicalJob)) : {};
				results[check.itemIndex] = route(ctx, check, reads.get(check.jobId)!, { startedAtMs, polls, waitedMs, keep, inputJson });
			}
			return results;
		},
	};
}

interface LoopSettings extends SettleSettings {
	giveUpAfterMs: number;
}

function readLoopSettings(ctx: IExecuteFunctions, itemIndex: number): LoopSettings {
	const hours = Number(ctx.getNodeParameter('giveUpAfterHours', itemIndex, 24));
	if (!Number.isFinite(hours) || hours <= 0) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "Give Up After (Hours)" must be a number greater than 0 in item ${itemIndex}`, {
			itemIndex,
		});
	}
	const options = ctx.getNodeParameter('loopOptions', itemIndex, {}) as IDataObject;
	return {
		giveUpAfterMs: hours * 3_600_000,
		timeoutMs: hours * 3_600_000,
		timeoutText: `${hours} hour${hours === 1 ? '' : 's'}`,
		timeoutHint:
			'Raise "Give Up After (Hours)", or set "On Give Up" to "Output Last State" to route the job to the Finished output with timedOut: true.',
		onJobFailure: options.onJobFailure === 'output' ? 'output' : 'error',
		onTimeout: options.onGiveUp === 'output' ? 'output' : 'error',
	};
}

async function readEachOnce(
	ctx: IExecuteFunctions,
	ids: string[],
	read: JobReader,
	checks: Array<{ itemIndex: number; jobId: string }>,
): Promise<Map<string, CanonicalJob | Error>> {
	const reads = new Map<string, CanonicalJob | Error>();
	await forEachLimited(ids, READ_CONCURRENCY, async (jobId) => {
		const itemIndex = checks.find((c) => c.jobId === jobId)?.itemIndex;
		reads.set(jobId, await read(ctx, jobId, itemIndex).catch((error: Error) => error));
	});
	return reads;
}

function route(
	ctx: IExecuteFunctions,
	check: { itemIndex: number; jobId: string; settings: LoopSettings },
	read: CanonicalJob | Error,
	wait: { startedAtMs: number; polls: number; waitedMs: number; keep: IDataObject; inputJson: IDataObject },
): ItemResult {
	const { itemIndex, jobId, settings } = check;
	const gaveUp = wait.waitedMs >= settings.giveUpAfterMs;
	const waitFields = {
		waitStartedAt: new Date(wait.startedAtMs).toISOString(),
		waitedSeconds: Math.round(wait.waitedMs / 100) / 10,
		polls: wait.polls,
	};

	if (read instanceof Error) {
		// A read that failed for a passing reason is a missed check, not a failed job:
		// the item goes round the loop again with the last state it had.
		if (!isTransientFailure(read) || gaveUp) return read;
		const last = sameJob(wait.inputJson, jobId) ? wait.inputJson : { id: jobId };
		return stillRunning({ ...last, ...waitFields, timedOut: false, lastCheckError: read.message });
	}

	if (!read.done && !gaveUp) {
		return stillRunning(withWait(read, { ...wait.keep, ...waitFields, timedOut: false }));
	}
	const settled = settle(ctx.getNode(), jobId, { job: read, polls: wait.polls, waitedMs: wait.waitedMs, timedOut: !read.done }, settings, itemIndex, wait.keep);
	if (settled instanceof Error) return settled;
	return { output: FINISHED_OUTPUT, items: (settled as INodeExecutionData[]).map((item) => ({ json: { ...item.json, waitStartedAt: waitFields.waitStartedAt } })) };
}

function stillRunning(json: IDataObject): ItemResult {
	return { output: STILL_RUNNING_OUTPUT, items: [{ json }] };
}

/** Adds fields to a job item, keeping `raw` last so the useful columns come first. */
function withWait(job: CanonicalJob, fields: IDataObject): IDataObject {
	const { raw, ...rest } = job;
	return { ...rest, ...fields, raw };
}

function sameJob(json: IDataObject, jobId: string): boolean {
	return json.id !== undefined && json.id !== null && String(json.id) === jobId;
}

/** The wait state of an item that went round the loop before, if it is about the same job. */
function carriedWait(json: IDataObject, jobId: string): CarriedWait | undefined {
	if (!sameJob(json, jobId) || typeof json.waitStartedAt !== 'string') return undefined;
	const startedAtMs = Date.parse(json.waitStartedAt);
	if (Number.isNaN(startedAtMs)) return undefined;
	const polls = Number(json.polls);
	return { startedAtMs, polls: Number.isFinite(polls) && polls > 0 ? polls : 0 };
}

const WAIT_FIELDS = ['waitStartedAt', 'waitedSeconds', 'polls', 'timedOut', 'lastCheckError'];

function withoutWaitFields(fields: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(fields).filter(([key]) => !WAIT_FIELDS.includes(key)));
}
