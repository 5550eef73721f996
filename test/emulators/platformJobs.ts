/**
 * Platform Jobs API emulator (shared/providers.md section D, seed 004).
 * Jobs move pending → running → completed | failed | cancelled as time passes;
 * `Authorization: Bearer KEY` is required (more keys can be added, each with its
 * own rate limit); errors use the `{data:null, error:{name, message, details}}`
 * envelope, `details` an object; rerun creates a NEW job with `originalJobId`;
 * 1,000 requests/hour per key with X-RateLimit-* headers (configurable).
 */
import { randomUUID } from 'node:crypto';

import { EmulatorServer, WindowRateLimit } from './server';
import type { EmulatorResponse } from './server';

export type PlatformOutcome = 'completed' | 'failed' | 'cancelled';

export interface PlatformJobPlan {
	type?: string;
	/** Time spent `pending` before it runs. */
	queuedMs?: number;
	/** Time spent `running` (progress goes 0 → 100 over it). */
	runMs?: number;
	outcome?: PlatformOutcome;
	result?: Record<string, unknown>;
	errorMessage?: string;
	/** What a rerun of this job will do (defaults to this plan, completing). */
	rerunPlan?: Omit<PlatformJobPlan, 'rerunPlan'>;
}

interface StoredJob {
	id: string;
	createdAt: number;
	originalJobId?: string;
	plan: Required<Omit<PlatformJobPlan, 'rerunPlan' | 'errorMessage'>> & Pick<PlatformJobPlan, 'rerunPlan' | 'errorMessage'>;
}

export class PlatformJobsEmulator {
	readonly server = new EmulatorServer('/v1/api');
	readonly jobs = new Map<string, StoredJob>();
	/** The main key's limit. */
	readonly rateLimit = new WindowRateLimit(1000, 3_600_000);
	/** Other accounts' keys, each with its own limit. */
	readonly otherKeys = new Map<string, WindowRateLimit>();

	constructor(readonly apiKey = 'platform-test-key') {
		this.server.guard = (req) => {
			const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
			const known = key === this.apiKey ? this.rateLimit : this.otherKeys.get(key);
			if (!known) return envelopeError(401, 'Unauthorized', 'Invalid or missing API key');
			const limit = known.take();
			// Like the real API: the X-RateLimit-* headers come on every response.
			req.responseHeaders = limit.headers;
			if (limit.over) return envelopeError(429, 'RateLimitExceeded', 'Rate limit exceeded', undefined, limit.headers);
			return undefined;
		};
		this.server.route('GET', '/jobs/:id', (req) => {
			const job = this.jobs.get(req.params.id);
			if (!job) return envelopeError(404, 'NotFound', 'Job not found', { resource: 'job', id: req.params.id });
			return { status: 200, body: { data: this.view(job), error: null } };
		});
		this.server.route('POST', '/jobs/:id/rerun', (req) => {
			const job = this.jobs.get(req.params.id);
			if (!job) return envelopeError(404, 'NotFound', 'Job not found', { resource: 'job', id: req.params.id });
			const status = this.statusOf(job);
			if (status === 'pending' || status === 'running') {
				return envelopeError(409, 'Conflict', 'Job is still in progress and cannot be rerun', { jobId: job.id, status, allowedStatuses: ['completed', 'failed', 'cancelled'] });
			}
			const plan = { type: job.plan.type, result: job.plan.result, outcome: 'completed' as const, ...(job.plan.rerunPlan ?? {}) };
			const created = this.addJob(plan, job.id);
			return { status: 201, body: { data: { ...this.view(created), originalJobId: job.id }, error: null } };
		});
	}

	start(port = 0): Promise<string> {
		return this.server.start(port);
	}

	stop(): Promise<void> {
		return this.server.stop();
	}

	get baseUrl(): string {
		return this.server.baseUrl;
	}

	/** Accepts another account's key, with its own rate limit. */
	addKey(key: string, limit = 1000, windowMs = 3_600_000): WindowRateLimit {
		const window = new WindowRateLimit(limit, windowMs);
		this.otherKeys.set(key, window);
		return window;
	}

	/** Creates a job that will behave per `plan`; returns its id. */
	createJob(plan: PlatformJobPlan = {}): string {
		return this.addJob(plan).id;
	}

	private addJob(plan: PlatformJobPlan, originalJobId?: string): StoredJob {
		const job: StoredJob = {
			id: `job_${randomUUID().slice(0, 12)}`,
			createdAt: Date.now(),
			originalJobId,
			plan: {
				type: plan.type ?? 'document_processing',
				queuedMs: plan.queuedMs ?? 200,
				runMs: plan.runMs ?? 1000,
				outcome: plan.outcome ?? 'completed',
				result: plan.result ?? { documentsProcessed: 50, errors: 0 },
				errorMessage: plan.errorMessage,
				rerunPlan: plan.rerunPlan,
			},
		};
		this.jobs.set(job.id, job);
		return job;
	}

	statusOf(job: StoredJob, now = Date.now()): string {
		const age = now - job.createdAt;
		if (age < job.plan.queuedMs) return 'pending';
		if (age < job.plan.queuedMs + job.plan.runMs) return 'running';
		return job.plan.outcome;
	}

	private view(job: StoredJob): Record<string, unknown> {
		const now = Date.now();
		const status = this.statusOf(job, now);
		const started = job.createdAt + job.plan.queuedMs;
		const ended = started + job.plan.runMs;
		const progress =
			status === 'pending' ? 0 : status === 'running' ? Math.floor(((now - started) / job.plan.runMs) * 100) : status === 'completed' ? 100 : Math.floor(((ended - started) / job.plan.runMs) * 60);
		const done = status !== 'pending' && status !== 'running';
		return {
			id: job.id,
			type: job.plan.type,
			status,
			progress,
			result: status === 'completed' ? job.plan.result : status === 'failed' ? { error: job.plan.errorMessage ?? 'Worker crashed' } : null,
			createdAt: new Date(job.createdAt).toISOString(),
			completedAt: done ? new Date(ended).toISOString() : null,
			...(job.originalJobId ? { originalJobId: job.originalJobId } : {}),
		};
	}
}

function envelopeError(status: number, name: string, message: string, details: Record<string, unknown> = {}, headers?: Record<string, string>): EmulatorResponse {
	return { status, headers, body: { data: null, error: { name, message, details } } };
}
