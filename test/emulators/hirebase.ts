/**
 * Hirebase emulator (shared/providers.md section A, seed 000).
 *
 * API host: `x-api-key` required (401 `{detail}`), `GET /v2/tasks/{id}` (404
 * `{detail:"Task not found"}`), `POST /v2/jobs/export` (422 FastAPI
 * `{detail:[{loc,msg,type}]}` for a bad body). An export holds `search.limit`
 * records (or fewer, if fewer match); without a limit the search model's default
 * applies, `limit: 10` — the task echoes the whole search with `page` and `limit`
 * filled in, as the seed's task does. Tasks move queued → processing →
 * completed (or `finished`, as the SDK enum says) | failed | canceled over time,
 * progress as a 0..1 float, timestamps ISO without a zone.
 *
 * Storage host: a SECOND server on another port serves the export files at
 * pre-signed URLs (`Expires` + `Signature` in the query). An expired or
 * tampered link answers 403 with an S3-style XML AccessDenied body. It records
 * every request's headers so tests can prove the API key never reached it.
 */
import { createHmac, randomUUID } from 'node:crypto';

import { EmulatorServer } from './server';
import type { EmulatorResponse } from './server';

export type HirebaseOutcome = 'completed' | 'finished' | 'failed' | 'canceled';
/** How a json export is written: JSON Lines (default) or one JSON array. */
export type JsonShape = 'jsonl' | 'array';

export interface HirebaseTaskPlan {
	queuedMs?: number;
	processingMs?: number;
	outcome?: HirebaseOutcome;
	errorMessage?: string;
	/** Records in the file, exactly (a fixture); default: generated job postings. */
	records?: Record<string, unknown>[];
	/** How many job postings the search matches (default 10,000); the export holds min(this, search.limit). */
	recordCount?: number;
	jsonShape?: JsonShape;
	/** How long the download link is valid after completion. */
	linkTtlMs?: number;
	/** The API's `expiry_time` claims this much longer than the signature really allows (clock skew, stale cache). */
	expiryTimeSkewMs?: number;
	/** An exact file body to serve instead of one built from the records. */
	rawFile?: string | Buffer;
}

interface StoredTask {
	id: string;
	createdAt: number;
	search: Record<string, unknown>;
	format: 'json' | 'csv';
	plan: HirebaseTaskPlan;
	file?: Buffer;
}

const ISO_NO_ZONE = (ms: number) => new Date(ms).toISOString().slice(0, 23) + '000';

/** The search model's default `limit`, echoed in the seed's task ("page": 1, "limit": 10). */
export const DEFAULT_SEARCH_LIMIT = 10;
/** How many postings a search matches when a plan does not say. */
const DEFAULT_MATCHING = 10_000;

export class HirebaseEmulator {
	readonly api = new EmulatorServer();
	readonly storage = new EmulatorServer();
	readonly tasks = new Map<string, StoredTask>();
	/** The plan for tasks started through POST /v2/jobs/export. */
	exportPlan: (body: { search: Record<string, unknown>; format: string }) => HirebaseTaskPlan = () => ({});
	private readonly signingKey = randomUUID();

	constructor(readonly apiKey = 'hirebase-test-key') {
		this.api.guard = (req) => {
			if (req.headers['x-api-key'] !== this.apiKey) {
				return { status: 401, body: { detail: 'Invalid or missing API key' } };
			}
			return undefined;
		};
		this.api.route('GET', '/v2/tasks/:id', (req) => {
			const task = this.tasks.get(req.params.id);
			if (!task) return { status: 404, body: { detail: 'Task not found' } };
			return { status: 200, body: this.view(task) };
		});
		this.api.route('POST', '/v2/jobs/export', (req) => {
			const invalid = validateExportBody(req.body);
			if (invalid) return invalid;
			const body = req.body as { search: Record<string, unknown>; format: 'json' | 'csv' };
			// The API fills the search model's defaults in and echoes them in input.query.
			const search = { page: 1, limit: DEFAULT_SEARCH_LIMIT, ...body.search };
			const task = this.addTask(search, body.format, this.exportPlan(body));
			return { status: 200, body: this.view(task) };
		});
		this.storage.route('GET', '/joby-uploads/:user/:file', (req) => this.serveFile(req.params.file, req.query));
	}

	async start(): Promise<void> {
		await this.api.start();
		await this.storage.start();
	}

	async stop(): Promise<void> {
		await this.api.stop();
		await this.storage.stop();
	}

	get baseUrl(): string {
		return this.api.baseUrl;
	}

	/**
	 * Creates a task directly (as if exported earlier); returns its id. With a
	 * `recordCount`, the task is an export of exactly that many records (its
	 * search's limit says so, as it would have).
	 */
	createTask(plan: HirebaseTaskPlan = {}, format: 'json' | 'csv' = 'json', search: Record<string, unknown> = defaultSearch()): string {
		const sized = plan.recordCount !== undefined && plan.records === undefined ? { ...search, limit: plan.recordCount } : search;
		return this.addTask(sized, format, plan).id;
	}

	/** Builds (and caches) a task's file now, e.g. so a benchmark measures only the node. */
	fileOf(id: string): Buffer {
		const task = this.tasks.get(id);
		if (!task) throw new Error(`no task ${id}`);
		task.file ??= buildFile(task);
		return task.file;
	}

	private addTask(search: Record<string, unknown>, format: 'json' | 'csv', plan: HirebaseTaskPlan): StoredTask {
		const task: StoredTask = { id: randomUUID(), createdAt: Date.now(), search, format, plan };
		this.tasks.set(task.id, task);
		return task;
	}

	stateOf(task: StoredTask, now = Date.now()): string {
		const age = now - task.createdAt;
		const queued = task.plan.queuedMs ?? 150;
		const processing = task.plan.processingMs ?? 400;
		if (age < queued) return 'queued';
		if (age < queued + processing) return 'processing';
		return task.plan.outcome ?? 'completed';
	}

	private view(task: StoredTask): Record<string, unknown> {
		const now = Date.now();
		const state = this.stateOf(task, now);
		const queued = task.plan.queuedMs ?? 150;
		const processing = task.plan.processingMs ?? 400;
		const started = task.createdAt + queued;
		const ended = started + processing;
		const succeeded = state === 'completed' || state === 'finished';
		const done = state !== 'queued' && state !== 'processing';
		const progress = state === 'queued' ? 0 : state === 'processing' ? Math.round(((now - started) / processing) * 1000) / 1000 : succeeded ? 1.0 : 0.37;
		let result: Record<string, unknown> | null = null;
		if (succeeded) {
			const file = this.fileOf(task.id);
			const expires = ended + (task.plan.linkTtlMs ?? 3_600_000);
			result = {
				download_url: this.signedUrl(task, Math.floor(expires / 1000)),
				file_size: file.length,
				record_count: recordCountOf(task),
				expiry_time: ISO_NO_ZONE(expires + (task.plan.expiryTimeSkewMs ?? 0)),
			};
		}
		return {
			id: task.id,
			type: 'export_job_data',
			state,
			progress,
			created_at: ISO_NO_ZONE(task.createdAt),
			updated_at: ISO_NO_ZONE(done ? ended : now),
			started_at: state === 'queued' ? null : ISO_NO_ZONE(started),
			completed_at: done ? ISO_NO_ZONE(ended) : null,
			user_id: '68876d278da1b42f2878be12',
			error: state === 'failed' ? task.plan.errorMessage ?? 'Export failed: search backend timed out' : null,
			worker_id: state === 'queued' ? null : 'worker-81ghedc2-4',
			priority: 0,
			input: { query: task.search, format: task.format },
			result,
		};
	}

	private signedUrl(task: StoredTask, expiresEpoch: number): string {
		const file = `${task.id}.${task.format}`;
		const signature = this.sign(file, expiresEpoch);
		return `${this.storage.origin}/joby-uploads/user/${file}?AWSAccessKeyId=DO007W2A88HAEEP9W6VH&Signature=${encodeURIComponent(signature)}&Expires=${expiresEpoch}`;
	}

	private sign(file: string, expiresEpoch: number): string {
		return createHmac('sha1', this.signingKey).update(`${file}\n${expiresEpoch}`).digest('base64');
	}

	private serveFile(file: string, query: URLSearchParams): EmulatorResponse {
		const expires = Number(query.get('Expires'));
		const signature = query.get('Signature') ?? '';
		if (!Number.isFinite(expires) || signature !== this.sign(file, expires)) {
			return s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
		}
		if (expires * 1000 < Date.now()) return s3Error(403, 'AccessDenied', 'Request has expired');
		const id = file.replace(/\.(json|csv)$/, '');
		const task = this.tasks.get(id);
		if (!task) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
		return {
			status: 200,
			raw: this.fileOf(id),
			headers: { 'content-type': task.format === 'csv' ? 'text/csv' : 'application/octet-stream' },
		};
	}
}

function s3Error(status: number, code: string, message: string): EmulatorResponse {
	return {
		status,
		headers: { 'content-type': 'application/xml' },
		raw: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>tx0000-emulator</RequestId></Error>`,
	};
}

/** FastAPI/pydantic validation, the way the real API answers a bad export body. */
function validateExportBody(body: unknown): EmulatorResponse | undefined {
	const errors: Array<{ loc: Array<string | number>; msg: string; type: string; input?: unknown }> = [];
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		errors.push({ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type', input: body });
	} else {
		const b = body as Record<string, unknown>;
		if (b.search === undefined) errors.push({ loc: ['body', 'search'], msg: 'Field required', type: 'missing' });
		else if (!b.search || typeof b.search !== 'object' || Array.isArray(b.search)) {
			errors.push({ loc: ['body', 'search'], msg: 'Input should be a valid dictionary', type: 'dict_type', input: b.search });
		} else {
			const s = b.search as Record<string, unknown>;
			if (s.limit !== undefined && s.limit !== null && !Number.isInteger(s.limit)) {
				errors.push({ loc: ['body', 'search', 'limit'], msg: 'Input should be a valid integer', type: 'int_type', input: s.limit });
			} else if (typeof s.limit === 'number' && s.limit < 1) {
				errors.push({ loc: ['body', 'search', 'limit'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal', input: s.limit });
			}
			if (s.days_ago !== undefined && s.days_ago !== null && !Number.isInteger(s.days_ago)) {
				errors.push({ loc: ['body', 'search', 'days_ago'], msg: 'Input should be a valid integer', type: 'int_type', input: s.days_ago });
			}
			for (const key of ['job_titles', 'keywords', 'location_types', 'job_types']) {
				if (s[key] !== undefined && s[key] !== null && !Array.isArray(s[key])) {
					errors.push({ loc: ['body', 'search', key], msg: 'Input should be a valid list', type: 'list_type', input: s[key] });
				}
			}
		}
		if (b.format !== 'json' && b.format !== 'csv') {
			errors.push({ loc: ['body', 'format'], msg: "Input should be 'json' or 'csv'", type: 'enum', input: b.format });
		}
	}
	return errors.length ? { status: 422, body: { detail: errors } } : undefined;
}

function defaultSearch(): Record<string, unknown> {
	return { job_titles: ['Site/Civil Engineer'], location_types: ['In-Person'], geo_locations: [{ city: 'Richmond', region: 'Virginia', country: 'United States' }], page: 1, limit: 10 };
}

/** What the export holds: the fixture's records, else as many postings as match, up to the search's limit. */
function recordsOf(task: StoredTask): Record<string, unknown>[] {
	return task.plan.records ?? generateRecords(recordCountOf(task));
}

function recordCountOf(task: StoredTask): number {
	if (task.plan.records) return task.plan.records.length;
	const limit = typeof task.search.limit === 'number' ? task.search.limit : DEFAULT_SEARCH_LIMIT;
	return Math.min(limit, task.plan.recordCount ?? DEFAULT_MATCHING);
}

/** Job postings with the content that breaks naive parsers: commas, quotes, new lines, unicode. */
export function generateRecords(count: number): Record<string, unknown>[] {
	const out: Record<string, unknown>[] = [];
	for (let i = 0; i < count; i++) {
		out.push({
			job_id: `job-${i}`,
			job_title: i % 7 === 0 ? 'Engineer, "Senior" Site/Civil' : `Site Engineer ${i}`,
			company_name: i % 5 === 0 ? 'Müller & Söhne, GmbH' : `Company ${i % 100}`,
			description: i % 3 === 0 ? `Line one of ${i}\nLine two, with a comma\r\nand "quotes"` : `Plain description ${i}`,
			location: 'Richmond, Virginia, United States',
			salary_min: 50000 + (i % 50) * 1000,
			remote: i % 2 === 0,
			date_posted: '2025-06-01',
		});
	}
	return out;
}

function buildFile(task: StoredTask): Buffer {
	if (task.plan.rawFile !== undefined) return Buffer.isBuffer(task.plan.rawFile) ? task.plan.rawFile : Buffer.from(task.plan.rawFile, 'utf8');
	const records = recordsOf(task);
	if (task.format === 'csv') return Buffer.from(toCsv(records), 'utf8');
	if (task.plan.jsonShape === 'array') return Buffer.from(JSON.stringify(records), 'utf8');
	return Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');
}

/** CSV the way spreadsheet exports write it: BOM, CRLF, quotes only where needed, "" inside quotes. */
export function toCsv(records: Record<string, unknown>[]): string {
	const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
	const cell = (value: unknown) => {
		const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
		return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
	};
	const lines = [columns.map(cell).join(',')];
	for (const r of records) lines.push(columns.map((c) => cell(r[c])).join(','));
	return '\ufeff' + lines.join('\r\n') + '\r\n';
}
