import type { IDataObject } from 'n8n-workflow';

/**
 * The status vocabulary every node outputs, whatever the provider calls it.
 * `unknown` is deliberately NOT final: a provider word we have never seen must
 * not end a wait early; the raw word is always kept in `providerStatus`.
 */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'unknown';

export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export function isFinal(status: JobStatus): boolean {
	return FINAL_STATUSES.includes(status);
}

/** The one item shape every Get / Wait / Rerun / Trigger outputs. */
export interface CanonicalJob extends IDataObject {
	id: string;
	provider: string;
	status: JobStatus;
	providerStatus: string | null;
	done: boolean;
	progress: number | null;
	createdAt: string | null;
	startedAt: string | null;
	finishedAt: string | null;
	error: string | null;
	resultCount: number | null;
	raw: IDataObject;
}

export interface JobFields {
	id: unknown;
	provider: string;
	status: JobStatus;
	providerStatus: unknown;
	/** Progress already on a 0..100 scale, or null when the provider has none. */
	progress?: unknown;
	createdAt?: unknown;
	startedAt?: unknown;
	finishedAt?: unknown;
	error?: unknown;
	resultCount?: unknown;
	/** Provider-specific fields worth a column of their own (e.g. creditsSpent). */
	extra?: IDataObject;
	raw: IDataObject;
}

/**
 * Builds a canonical job from an adapter's reading of a response, normalising
 * every field so adapters only decide *which* field means what.
 */
export function toCanonicalJob(fields: JobFields): CanonicalJob {
	return {
		id: String(fields.id ?? ''),
		provider: fields.provider,
		status: fields.status,
		providerStatus: fields.providerStatus === undefined || fields.providerStatus === null ? null : String(fields.providerStatus),
		done: isFinal(fields.status),
		progress: toPercent(fields.progress),
		createdAt: toIsoDate(fields.createdAt),
		startedAt: toIsoDate(fields.startedAt),
		finishedAt: toIsoDate(fields.finishedAt),
		error: toErrorText(fields.error),
		resultCount: toCount(fields.resultCount),
		...(fields.extra ?? {}),
		raw: fields.raw,
	};
}

/** Clamps a 0..100 number; accepts numeric strings such as "42" or "42%". */
export function toPercent(value: unknown): number | null {
	if (value === undefined || value === null || value === '') return null;
	const n = typeof value === 'number' ? value : Number(String(value).replace('%', '').trim());
	if (!Number.isFinite(n)) return null;
	return Math.round(Math.min(100, Math.max(0, n)) * 100) / 100;
}

/** For providers that report progress as a 0..1 fraction. */
export function fractionToPercent(value: unknown): number | null {
	if (value === undefined || value === null || value === '') return null;
	const n = Number(value);
	return Number.isFinite(n) ? toPercent(n * 100) : null;
}

/**
 * ISO 8601 in UTC, or null. Timestamps without a zone (some APIs send
 * "2025-06-13T06:10:07.605000") are read as UTC, which is what those APIs mean.
 */
export function toIsoDate(value: unknown): string | null {
	if (value === undefined || value === null || value === '') return null;
	if (typeof value === 'number') return new Date(value > 1e12 ? value : value * 1000).toISOString();
	let text = String(value).trim();
	const hasZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(text);
	if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !hasZone) text += 'Z';
	const date = new Date(text);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function toErrorText(value: unknown): string | null {
	if (value === undefined || value === null || value === '' || value === false) return null;
	if (typeof value === 'string') return value;
	if (typeof value === 'object') {
		const message = (value as IDataObject).message;
		return typeof message === 'string' ? message : JSON.stringify(value);
	}
	return String(value);
}

function toCount(value: unknown): number | null {
	if (value === undefined || value === null || value === '') return null;
	const n = Number(value);
	return Number.isFinite(n) ? n : null;
}
