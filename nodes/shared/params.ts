import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { WaitSettings } from './wait';
import { cancelSignalOf } from './transport';

/**
 * Reads an ID parameter: text or a number, never empty. Anything else names the
 * parameter and the item, because a mapped expression ({{ $json.id }}) that
 * resolves to nothing is the most common mistake.
 */
export function readId(ctx: IExecuteFunctions, itemIndex: number, name: string, label: string): string {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string') {
		const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : typeof value;
		throw new NodeOperationError(ctx.getNode(), `The parameter "${label}" must be text or a number, but item ${itemIndex} gave ${kind}`, {
			itemIndex,
			description: 'Map a single ID, for example {{ $json.id }}, not a whole object or list.',
		});
	}
	const id = value.trim();
	if (!id) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "${label}" is empty in item ${itemIndex}`, {
			itemIndex,
			description: 'Enter an ID, or map one from a previous node, for example {{ $json.id }}.',
		});
	}
	return id;
}

/** Reads a JSON parameter given as text or as an object; names the parameter on bad JSON. */
export function readJsonObject(ctx: IExecuteFunctions, itemIndex: number, name: string, label: string): IDataObject {
	return jsonObjectOf(ctx, itemIndex, ctx.getNodeParameter(name, itemIndex, '{}'), label);
}

/** A JSON object given as text or as an object (e.g. a JSON field inside a collection). */
export function jsonObjectOf(ctx: IExecuteFunctions, itemIndex: number, value: unknown, label: string): IDataObject {
	if (value && typeof value === 'object' && !Array.isArray(value)) return value as IDataObject;
	const text = typeof value === 'string' ? value.trim() : '';
	if (!text) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "${label}" is not valid JSON: ${(error as Error).message}`, {
			itemIndex,
			description: 'Write a JSON object, for example {"key": "value"}.',
		});
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "${label}" must be a JSON object ({ … })`, { itemIndex });
	}
	return parsed as IDataObject;
}

export type OnJobFailure = 'error' | 'output';
export type OnTimeout = 'error' | 'output';

export interface WaitParameters extends WaitSettings {
	onJobFailure: OnJobFailure;
	onTimeout: OnTimeout;
}

/** The wait fields from `waitFields()` in descriptions.ts. */
export function readWaitParameters(ctx: IExecuteFunctions, itemIndex: number): WaitParameters {
	const pollSeconds = positive(ctx, itemIndex, 'pollInterval', 'Poll Interval (Seconds)', 10);
	const timeoutSeconds = positive(ctx, itemIndex, 'timeout', 'Timeout (Seconds)', 600);
	const options = ctx.getNodeParameter('waitOptions', itemIndex, {}) as IDataObject;
	const backoff = options.backoff === true;
	const maxGapSeconds = Math.max(pollSeconds, Number(options.maxPollInterval ?? 60) || 60);
	const maxSeconds = backoff ? maxGapSeconds : pollSeconds;
	return {
		pollIntervalMs: pollSeconds * 1000,
		maxIntervalMs: maxSeconds * 1000,
		// Progress may stretch a job's reads up to Max Poll Interval (readSchedule.ts); off, every interval.
		maxGapMs: options.readByProgress === false ? pollSeconds * 1000 : maxGapSeconds * 1000,
		backoffFactor: backoff ? 1.5 : 1,
		timeoutMs: timeoutSeconds * 1000,
		signal: cancelSignalOf(ctx),
		onJobFailure: options.onJobFailure === 'output' ? 'output' : 'error',
		onTimeout: options.onTimeout === 'output' ? 'output' : 'error',
	};
}

function positive(ctx: IExecuteFunctions, itemIndex: number, name: string, label: string, fallback: number): number {
	const value = Number(ctx.getNodeParameter(name, itemIndex, fallback));
	if (!Number.isFinite(value) || value <= 0) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "${label}" must be a number greater than 0`, { itemIndex });
	}
	return value;
}
