/**
 * HasData scraper-jobs emulator (shared/providers.md section C, seed 003).
 *
 * - `x-api-key` required: a wrong key gets 401, the "exhausted" key 403.
 * - Plans limit SIMULTANEOUS REQUESTS, not running jobs (free plan: 1): a request
 *   that arrives while `maxConcurrentRequests` of the same key are still being
 *   answered gets 429, whatever it is (start, read, result page). Every request
 *   takes `server.latencyMs` to answer, so parallel requests really overlap.
 * - POST /scrapers/{slug}/jobs starts a job; its reply carries the numeric id and
 *   the scraper (`scraperId`, `scraper {id, slug}`) — GET does not. The stored
 *   `input` is the whole body, webhook included, as the seed shows.
 * - Ids are integers; `creditsSpent` and `dataRowsCount` arrive as strings
 *   (`numbersAs: 'string'`, the default) — both as seen from the API.
 * - A job whose account runs out of credits (`plan.creditsLeft`) is stopped by
 *   HasData: status `stopped` like a user's stop, told apart only by its
 *   `message` (Inferred: the field is not documented).
 * - Jobs go pending → in_progress → finished (or failed) as time passes; rows
 *   appear while the job runs (dataRowsCount grows, /results returns what is
 *   there, newest first as in the seed's example); DELETE stops a pending or
 *   running job (rows so far stay), and refuses (400) a job that already ended
 *   without saying its status.
 * - /results pages like the seed (AdonisJS paginator `meta`), limit ≤ 100 (422 above).
 * - Finished jobs carry `data {csv, json, xlsx}` links to a SECOND server (the
 *   file host), signed and short-lived (403 once expired); its request log keeps
 *   the headers each download carried.
 * - Webhooks: per job, POSTed to the URL given at start for the chosen events
 *   with `{event, jobId, jobStatus, timestamp}` and the `webhook.headers` given at
 *   start (how a receiver authenticates HasData); `scraper.job.finished` is sent
 *   again as a retry (HasData retries), and a call answered non-2xx is retried
 *   up to 3 times. Integer ids come as numbers first and as strings in repeats.
 */
import { createHash, randomUUID } from 'node:crypto';

import { EmulatorServer } from './server';
import type { EmulatorRequest, EmulatorResponse } from './server';

export interface HasDataJobPlan {
	/** Time spent `pending`. */
	queuedMs?: number;
	/** Time spent `in_progress`; rows appear evenly over it. */
	runMs?: number;
	/** Rows at the end (or scraped before failing). */
	rows?: number;
	outcome?: 'finished' | 'failed';
	creditsPerRow?: number;
	/** Credits the account has left for this job: once its rows cost more, HasData stops it. */
	creditsLeft?: number;
}

export interface WebhookDelivery {
	jobId: string;
	event: string;
	url: string;
	attempt: number;
	status: number | 'network-error';
	/** When the call was sent. */
	at: number;
}

interface StoredJob {
	id: string;
	numericId?: number;
	slug: string;
	input: Record<string, unknown>;
	createdAt: number;
	stoppedAt?: number;
	plan: Required<Omit<HasDataJobPlan, 'creditsLeft'>> & Pick<HasDataJobPlan, 'creditsLeft'>;
	fileIds: { csv: string; json: string; xlsx: string };
	timers: NodeJS.Timeout[];
}

export const KNOWN_SLUGS = [
	'amazon-product', 'amazon-search', 'crawler', 'google-maps', 'google-maps-reviews', 'google-serp',
	'indeed', 'redfin', 'yelp', 'zillow',
];

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export class HasDataEmulator {
	readonly server = new EmulatorServer();
	/** The file host the `data {csv, json, xlsx}` links point at. */
	readonly files = new EmulatorServer();
	readonly jobs = new Map<string, StoredJob>();
	readonly webhookDeliveries: WebhookDelivery[] = [];
	/** Plans for the next started jobs, in order; then `defaultPlan`. */
	readonly nextPlans: HasDataJobPlan[] = [];
	defaultPlan: HasDataJobPlan = {};
	/** The plan's simultaneous requests per API key (free plan: 1). */
	maxConcurrentRequests = 1;
	idStyle: 'uuid' | 'integer' = 'integer';
	/** How creditsSpent and dataRowsCount are sent: as the numbers' strings (seen from the API) or numbers. */
	numbersAs: 'string' | 'number' = 'string';
	fileLinkTtlMs = 60_000;
	/** Extra copies of scraper.job.finished sent after the first (HasData's retries). */
	finishedDuplicates = 1;
	webhookRetryDelayMs = 30;
	/**
	 * The finished call goes out this long BEFORE the API reports the job finished
	 * (callback and API are not updated at the same instant): a receiver that reads
	 * the job may still see it in progress.
	 */
	finishedCallbackLeadMs = 0;
	private nextNumericId = 7001;
	private readonly signingKey = randomUUID();
	private stopped = false;

	constructor(
		readonly apiKey = 'hasdata-test-key',
		readonly exhaustedKey = 'hasdata-exhausted-key',
	) {
		// eslint-disable-next-line @typescript-eslint/no-this-alias
		const emulator = this;
		// Requests take a few ms to answer, so that parallel requests overlap as on the real API.
		this.server.latencyMs = 5;
		this.server.inFlightLimit = {
			get max() {
				return emulator.maxConcurrentRequests;
			},
			keyOf: (req) => String(req.headers['x-api-key'] ?? ''),
			refuse: (max) => ({
				status: 429,
				body: { message: `Too many concurrent requests: your plan allows ${max} simultaneous request${max === 1 ? '' : 's'}` },
			}),
		};
		this.server.guard = (req) => {
			const key = req.headers['x-api-key'];
			if (key === this.exhaustedKey) return { status: 403, body: { message: 'API credits quota exhausted. Upgrade your plan to continue.' } };
			if (key !== this.apiKey) return { status: 401, body: { message: 'Invalid API key' } };
			return undefined;
		};
		this.server.route('POST', '/scrapers/:slug/jobs', (req) => this.startJob(req));
		this.server.route('GET', '/scrapers/jobs/:id', (req) => {
			const job = this.jobs.get(req.params.id);
			return job ? { status: 200, body: this.view(job) } : notFound();
		});
		this.server.route('DELETE', '/scrapers/jobs/:id', (req) => this.stopJob(req));
		this.server.route('GET', '/scrapers/jobs/:id/results', (req) => this.results(req));
		this.files.route('GET', '/scrapers/jobs/:id/results/:file', (req) => this.download(req));
	}

	async start(): Promise<string> {
		await this.files.start();
		return this.server.start();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		for (const job of this.jobs.values()) job.timers.forEach(clearTimeout);
		await Promise.all([this.server.stop(), this.files.stop()]);
	}

	get baseUrl(): string {
		return this.server.baseUrl;
	}

	/** Creates a job directly (as if started earlier, e.g. from the dashboard); returns its id. */
	createJob(plan: HasDataJobPlan = {}, slug = 'crawler', input: Record<string, unknown> = { urls: ['https://example.com'], limit: 25 }): string {
		return this.addJob(slug, input, plan).id;
	}

	/** Requests refused with 429 because too many were in flight at once. */
	get refusedForConcurrency(): number {
		return this.server.refusedInFlight;
	}

	/** When the job's account ran out of credits (HasData stops it then), or undefined. */
	outOfCreditsAt(job: StoredJob): number | undefined {
		const { creditsLeft, creditsPerRow, rows, runMs, queuedMs } = job.plan;
		if (creditsLeft === undefined || creditsPerRow <= 0) return undefined;
		const affordable = Math.floor(creditsLeft / creditsPerRow);
		if (affordable >= rows) return undefined;
		return job.createdAt + queuedMs + (runMs <= 0 ? 0 : Math.floor((affordable * runMs) / Math.max(1, rows)));
	}

	statusOf(job: StoredJob, now = Date.now()): string {
		if (job.stoppedAt !== undefined) return 'stopped';
		const broke = this.outOfCreditsAt(job);
		if (broke !== undefined && now >= broke) return 'stopped';
		const age = now - job.createdAt;
		if (age < job.plan.queuedMs) return 'pending';
		if (age < job.plan.queuedMs + job.plan.runMs) return 'in_progress';
		return job.plan.outcome;
	}

	rowsOf(job: StoredJob, now = Date.now()): number {
		const startedAt = job.createdAt + job.plan.queuedMs;
		const broke = this.outOfCreditsAt(job);
		if (broke !== undefined && now >= broke) return Math.floor((job.plan.creditsLeft ?? 0) / job.plan.creditsPerRow);
		const end = Math.min(job.stoppedAt ?? now, now);
		// A job with no run time is finished (with all its rows) from its start on,
		// including a read in the very millisecond it was created.
		if (job.plan.runMs <= 0) return end >= startedAt ? job.plan.rows : 0;
		if (end <= startedAt) return 0;
		const ran = Math.min(job.plan.runMs, end - startedAt);
		return Math.floor((job.plan.rows * ran) / job.plan.runMs);
	}

	private addJob(slug: string, input: Record<string, unknown>, plan: HasDataJobPlan): StoredJob {
		const numericId = this.idStyle === 'integer' ? this.nextNumericId++ : undefined;
		const job: StoredJob = {
			id: numericId !== undefined ? String(numericId) : randomUUID(),
			numericId,
			slug,
			input,
			createdAt: Date.now(),
			plan: {
				queuedMs: plan.queuedMs ?? 100,
				runMs: plan.runMs ?? 500,
				rows: plan.rows ?? 20,
				outcome: plan.outcome ?? 'finished',
				creditsPerRow: plan.creditsPerRow ?? 10,
				creditsLeft: plan.creditsLeft,
			},
			fileIds: { csv: randomUUID(), json: randomUUID(), xlsx: randomUUID() },
			timers: [],
		};
		this.jobs.set(job.id, job);
		this.scheduleWebhooks(job);
		return job;
	}

	private startJob(req: EmulatorRequest): EmulatorResponse {
		const slug = req.params.slug;
		if (!KNOWN_SLUGS.includes(slug)) return { status: 404, body: { message: `Scraper "${slug}" not found` } };
		const body = req.body;
		if (!body || typeof body !== 'object' || Array.isArray(body)) {
			return { status: 422, body: { errors: [{ field: 'body', rule: 'object', message: 'The request body must be a JSON object' }] } };
		}
		const job = this.addJob(slug, body as Record<string, unknown>, this.nextPlans.shift() ?? this.defaultPlan);
		// Only the start reply names the scraper; GET /scrapers/jobs/{id} does not.
		return { status: 201, body: { ...this.view(job), scraperId: scraperIdOf(slug), scraper: { id: scraperIdOf(slug), slug } } };
	}

	private stopJob(req: EmulatorRequest): EmulatorResponse {
		const job = this.jobs.get(req.params.id);
		if (!job) return notFound();
		const status = this.statusOf(job);
		if (status !== 'pending' && status !== 'in_progress') {
			return { status: 400, body: { message: 'Only pending or in progress jobs can be stopped' } };
		}
		job.stoppedAt = Date.now();
		job.timers.forEach(clearTimeout);
		job.timers = [];
		this.sendEvent(job, 'scraper.job.finished', 'stopped', this.finishedDuplicates);
		return { status: 200, body: { jobId: job.numericId ?? job.id, status: 'stopped', message: 'Job stopped' } };
	}

	private results(req: EmulatorRequest): EmulatorResponse {
		const job = this.jobs.get(req.params.id);
		if (!job) return notFound();
		const page = Number(req.query.get('page') ?? 1);
		const limit = Number(req.query.get('limit') ?? 20);
		if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
			return { status: 422, body: { errors: [{ field: 'limit', rule: 'range', message: 'The limit must be between 1 and 100' }] } };
		}
		if (!Number.isInteger(page) || page < 1) {
			return { status: 422, body: { errors: [{ field: 'page', rule: 'min', message: 'The page must be at least 1' }] } };
		}
		const total = this.rowsOf(job);
		const lastPage = Math.max(1, Math.ceil(total / limit));
		// Newest first, as in the seed's example.
		const data = [];
		for (let n = (page - 1) * limit; n < Math.min(total, page * limit); n++) data.push(this.row(job, total - 1 - n));
		return {
			status: 200,
			body: {
				meta: {
					total,
					perPage: limit,
					currentPage: page,
					lastPage,
					firstPage: 1,
					firstPageUrl: '/?page=1',
					lastPageUrl: `/?page=${lastPage}`,
					nextPageUrl: page < lastPage ? `/?page=${page + 1}` : null,
					previousPageUrl: page > 1 ? `/?page=${page - 1}` : null,
				},
				data,
			},
		};
	}

	/** Row k (0-based, in scrape order) of a job: the same every time it is read. */
	row(job: StoredJob, k: number): Record<string, unknown> {
		const at = new Date(job.createdAt + job.plan.queuedMs + Math.round(((k + 1) * job.plan.runMs) / Math.max(1, job.plan.rows))).toISOString();
		return {
			id: uuidFrom(`${job.id}:${k}`),
			data: { url: `https://example.com/page${k + 1}`, statusCode: 200, title: `Example page ${k + 1}`, text: `Extracted content ${k + 1}`, depth: 1, n: k + 1 },
			createdAt: at,
			updatedAt: at,
		};
	}

	private view(job: StoredJob): Record<string, unknown> {
		const status = this.statusOf(job);
		const rows = this.rowsOf(job);
		const number = (n: number) => (this.numbersAs === 'string' ? String(n) : n);
		const out: Record<string, unknown> = {
			id: job.numericId ?? job.id,
			status,
			creditsSpent: number(rows * job.plan.creditsPerRow),
			dataRowsCount: number(rows),
			input: job.input,
		};
		if (status === 'stopped' && job.stoppedAt === undefined) {
			out.message = 'Not enough credits: the job was stopped. Top up your balance to continue scraping.';
		}
		if (status === 'finished') {
			const expires = Date.now() + this.fileLinkTtlMs;
			const link = (format: 'csv' | 'json' | 'xlsx') => {
				const path = `/scrapers/jobs/${job.id}/results/${job.fileIds[format]}.${format}`;
				return `${this.files.origin}${path}?expires=${expires}&signature=${this.sign(path, expires)}`;
			};
			out.data = { csv: link('csv'), json: link('json'), xlsx: link('xlsx') };
		}
		return out;
	}

	private sign(path: string, expires: number): string {
		return createHash('sha256').update(`${this.signingKey}:${path}:${expires}`).digest('hex').slice(0, 32);
	}

	private download(req: EmulatorRequest): EmulatorResponse {
		const denied = (reason: string): EmulatorResponse => ({
			status: 403,
			headers: { 'content-type': 'application/xml' },
			raw: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${reason}</Message></Error>`,
		});
		const expires = Number(req.query.get('expires'));
		if (req.query.get('signature') !== this.sign(req.path, expires)) return denied('Invalid signature');
		if (!(expires > Date.now())) return denied('Request has expired');
		const job = this.jobs.get(req.params.id);
		const [fileId, format] = req.params.file.split('.');
		if (!job || job.fileIds[format as 'csv'] !== fileId) return { status: 404, headers: { 'content-type': 'application/xml' }, raw: '<Error><Code>NoSuchKey</Code></Error>' };
		const rows = Array.from({ length: this.rowsOf(job) }, (_, k) => this.row(job, k).data as Record<string, unknown>);
		if (format === 'json') return { status: 200, headers: { 'content-type': 'application/json' }, raw: JSON.stringify(rows) };
		if (format === 'csv') {
			const columns = Object.keys(rows[0] ?? { url: '' });
			const cell = (v: unknown) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
			const csv = [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
			return { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' }, raw: csv };
		}
		// Not a real workbook: a zip signature and the rows, enough to check bytes arrive intact.
		const bytes = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(JSON.stringify(rows))]);
		return { status: 200, headers: { 'content-type': XLSX_TYPE }, raw: bytes };
	}

	private webhookOf(job: StoredJob): { url: string; events: string[]; headers: Record<string, string> } | undefined {
		const webhook = job.input.webhook as { url?: string; events?: string[]; headers?: Record<string, string> } | undefined;
		if (!webhook?.url) return undefined;
		return { url: webhook.url, events: webhook.events ?? [], headers: webhook.headers ?? {} };
	}

	private scheduleWebhooks(job: StoredJob): void {
		if (!this.webhookOf(job)) return;
		const { queuedMs, runMs } = job.plan;
		job.timers.push(setTimeout(() => this.sendEvent(job, 'scraper.job.started', 'in_progress'), queuedMs));
		job.timers.push(setTimeout(() => this.sendEvent(job, 'scraper.data.scraped', 'in_progress'), queuedMs + runMs / 2));
		const broke = this.outOfCreditsAt(job);
		const endsIn = broke === undefined ? queuedMs + runMs : broke - job.createdAt;
		const endStatus = broke === undefined ? job.plan.outcome : 'stopped';
		job.timers.push(setTimeout(() => this.sendEvent(job, 'scraper.job.finished', endStatus, this.finishedDuplicates), Math.max(0, endsIn + 5 - this.finishedCallbackLeadMs)));
	}

	/** Sends one event (plus `duplicates` copies, like HasData's retries), retrying failed calls up to 3 times. */
	private sendEvent(job: StoredJob, event: string, jobStatus: string, duplicates = 0): void {
		const webhook = this.webhookOf(job);
		if (!webhook || !webhook.events.includes(event) || this.stopped) return;
		// Integer ids as HasData sends them; its repeated calls carry the number as a string
		// ("numeric fields may arrive as strings"): a receiver must treat both as one job.
		const body = { event, jobId: job.numericId ?? job.id, jobStatus, timestamp: new Date().toISOString() };
		let sent = 0;
		const deliver = async (attempt: number): Promise<void> => {
			if (this.stopped) return;
			let status: number | 'network-error';
			// When the call was made (not when it was answered): what the receiver does while
			// answering, e.g. reading the job, happens after this.
			const sentAt = Date.now();
			try {
				const response = await fetch(webhook.url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'user-agent': 'HasData-Webhooks/1.0', ...webhook.headers },
					body: JSON.stringify(sent++ > 0 && job.numericId !== undefined ? { ...body, jobId: String(job.numericId) } : body),
				});
				await response.arrayBuffer();
				status = response.status;
			} catch {
				status = 'network-error';
			}
			this.webhookDeliveries.push({ jobId: job.id, event, url: webhook.url, attempt, status, at: sentAt });
			const failed = status === 'network-error' || status >= 300;
			if (failed && attempt < 4) await delay(this.webhookRetryDelayMs).then(() => deliver(attempt + 1));
		};
		void (async () => {
			await deliver(1);
			for (let copy = 0; copy < duplicates; copy++) {
				await delay(this.webhookRetryDelayMs);
				await deliver(1);
			}
		})();
	}
}

/** A stable numeric scraper id per slug (HasData numbers its scrapers). */
function scraperIdOf(slug: string): number {
	return KNOWN_SLUGS.indexOf(slug) + 101;
}

function notFound(): EmulatorResponse {
	return { status: 404, body: { message: 'Job not found' } };
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function uuidFrom(text: string): string {
	const h = createHash('md5').update(text).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
