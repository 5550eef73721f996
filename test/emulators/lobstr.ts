/**
 * Lobstr.io API emulator (shared/providers.md section B, seeds 001 and 002).
 *
 * Squids hold tasks (input rows); a run executes a squid's tasks and moves
 * pending → (paused) → running → uploading → done | error as time passes, or,
 * after POST /runs/{id}/abort, uploading (is_done true, done_reason "aborted") →
 * aborted; aborting a finished or unknown run is a 404 "Run not found or already
 * completed". One active run per squid: a start meanwhile is a 400
 * validation_error. Tasks carry no `squid` field. A free plan caps the results
 * a squid or run gives (`resultsCap`) and adds a `warning` to the results
 * envelope, whose totals then count only what is returned. Results are paged with
 * `{total_results, limit, page, total_pages, result_from, result_to, data, next,
 * previous}`, limit ≤ 100. `Authorization: Token KEY`. Per-endpoint fixed-window
 * rate limits (/squids 120/min, /tasks 90/min, /runs 120/min, /results 2/s) answer
 * 429 with Retry-After and X-RateLimit-*, and every 429 is counted. Error bodies
 * use all four shapes Lobstr uses: {error:{message,type,param}}, {detail},
 * {error:"msg"}, {errors:{message,type,code}}.
 */
import { randomBytes } from 'node:crypto';

import { EmulatorServer, WindowRateLimit } from './server';
import type { EmulatorRequest, EmulatorResponse } from './server';

export type RunOutcome = 'done' | 'error';

export interface RunPlan {
	pendingMs?: number;
	/** Time spent `paused` between pending and running. */
	pausedMs?: number;
	runningMs?: number;
	uploadingMs?: number;
	outcome?: RunOutcome;
	/** done_reason of a `done` run: tasks_done (clean), no_credits_left, … */
	doneReason?: string;
	/** Rows the finished run has. */
	rows?: number;
}

interface StoredRun {
	id: string;
	squid: string;
	createdAt: number;
	pendingUntil: number;
	pausedUntil: number;
	runningUntil: number;
	uploadingUntil: number;
	outcome: RunOutcome;
	doneReason: string;
	rows: number;
	abortedAt?: number;
	/** Rows produced when the abort came. */
	abortedRows?: number;
}

interface StoredSquid {
	id: string;
	name: string;
	createdAt: number;
	/** What the next run started on this squid will do. */
	nextRun: RunPlan;
}

interface StoredTask {
	hash: string;
	squid: string;
	createdAt: number;
	params: Record<string, unknown>;
	/** Force a task status instead of deriving it from the squid's latest run. */
	forced?: { status: string; errors?: unknown; doneReason?: string };
}

export type FamilyName = 'squids' | 'tasks' | 'runs' | 'results';

export interface LobstrEmulatorOptions {
	apiKey?: string;
	/** Per family: requests per window. Defaults are Lobstr's published limits. */
	limits?: Partial<Record<FamilyName, { limit: number; windowMs: number }>>;
	/** A free plan: /results returns at most this many rows of a run or squid, with a `warning`. */
	resultsCap?: number;
}

const DEFAULT_LIMITS: Record<FamilyName, { limit: number; windowMs: number }> = {
	squids: { limit: 120, windowMs: 60_000 },
	tasks: { limit: 90, windowMs: 60_000 },
	runs: { limit: 120, windowMs: 60_000 },
	results: { limit: 2, windowMs: 1_000 },
};

const hash = () => randomBytes(16).toString('hex');
/** Lobstr's timestamps: ISO 8601 without a zone, meaning UTC. */
const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace('Z', '') : null);
const ACTIVE = new Set(['pending', 'paused', 'running', 'uploading']);

export class LobstrEmulator {
	readonly server = new EmulatorServer('/v1');
	readonly squids = new Map<string, StoredSquid>();
	readonly tasks = new Map<string, StoredTask>();
	readonly runs = new Map<string, StoredRun>();
	readonly limits: Record<FamilyName, WindowRateLimit>;
	readonly apiKey: string;
	/** Free plan: /results returns at most this many rows (undefined = a paid plan, no cap). */
	resultsCap?: number;

	constructor(options: LobstrEmulatorOptions = {}) {
		this.apiKey = options.apiKey ?? 'lobstr-test-key';
		this.resultsCap = options.resultsCap;
		const limits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
		this.limits = {
			squids: new WindowRateLimit(limits.squids.limit, limits.squids.windowMs),
			tasks: new WindowRateLimit(limits.tasks.limit, limits.tasks.windowMs),
			runs: new WindowRateLimit(limits.runs.limit, limits.runs.windowMs),
			results: new WindowRateLimit(limits.results.limit, limits.results.windowMs),
		};
		this.server.guard = (req) => this.guard(req);
		this.routes();
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

	/** Every 429 this emulator has sent. */
	get rejected(): number {
		return Object.values(this.limits).reduce((sum, l) => sum + l.rejected, 0);
	}

	// ---- test set-up -------------------------------------------------------

	addSquid(name = `Squid ${this.squids.size + 1}`, nextRun: RunPlan = {}): string {
		const id = hash();
		this.squids.set(id, { id, name, createdAt: Date.now(), nextRun });
		return id;
	}

	addTask(squid: string, params: Record<string, unknown> = { url: 'https://example.com' }, forced?: StoredTask['forced']): string {
		const task: StoredTask = { hash: hash(), squid, createdAt: Date.now(), params, forced };
		this.tasks.set(task.hash, task);
		return task.hash;
	}

	/** A run as if POST /runs had been sent now (no active-run check, no request counted). */
	addRun(squid: string, plan: RunPlan = {}, createdAt = Date.now()): string {
		const pendingUntil = createdAt + (plan.pendingMs ?? 100);
		const pausedUntil = pendingUntil + (plan.pausedMs ?? 0);
		const runningUntil = pausedUntil + (plan.runningMs ?? 500);
		const run: StoredRun = {
			id: hash(),
			squid,
			createdAt,
			pendingUntil,
			pausedUntil,
			runningUntil,
			uploadingUntil: runningUntil + (plan.uploadingMs ?? 200),
			outcome: plan.outcome ?? 'done',
			doneReason: plan.doneReason ?? (plan.outcome === 'error' ? 'error' : 'tasks_done'),
			rows: plan.rows ?? 25,
		};
		this.runs.set(run.id, run);
		return run.id;
	}

	/** A run that finished `agoMs` ago. */
	addFinishedRun(squid: string, agoMs: number, plan: Omit<RunPlan, 'pendingMs' | 'runningMs' | 'uploadingMs' | 'pausedMs'> = {}): string {
		return this.addRun(squid, { ...plan, pendingMs: 1, runningMs: 1, uploadingMs: 1 }, Date.now() - agoMs - 3);
	}

	/** Makes an active run finish now, the way its plan says (or with `outcome`). */
	finishNow(runId: string, outcome?: RunOutcome, doneReason?: string): void {
		const run = this.runs.get(runId)!;
		const now = Date.now() - 1;
		run.pendingUntil = Math.min(run.pendingUntil, now);
		run.pausedUntil = Math.min(run.pausedUntil, now);
		run.runningUntil = Math.min(run.runningUntil, now);
		run.uploadingUntil = now;
		if (outcome) {
			run.outcome = outcome;
			run.doneReason = doneReason ?? (outcome === 'error' ? 'error' : 'tasks_done');
		}
	}

	statusOf(run: StoredRun, now = Date.now()): string {
		if (run.abortedAt !== undefined) return now < run.uploadingUntil ? 'uploading' : 'aborted';
		if (now < run.pendingUntil) return 'pending';
		if (now < run.pausedUntil) return 'paused';
		if (now < run.runningUntil) return 'running';
		if (now < run.uploadingUntil) return 'uploading';
		return run.outcome;
	}

	/** Rows the run has produced so far. */
	rowsOf(run: StoredRun, now = Date.now()): number {
		if (run.abortedAt !== undefined) return run.abortedRows ?? 0;
		if (now < run.pausedUntil) return 0;
		if (now >= run.runningUntil) return run.outcome === 'error' ? Math.floor(run.rows / 2) : run.rows;
		return Math.floor((run.rows * (now - run.pausedUntil)) / Math.max(1, run.runningUntil - run.pausedUntil));
	}

	activeRunOf(squid: string): StoredRun | undefined {
		return [...this.runs.values()].find((r) => r.squid === squid && ACTIVE.has(this.statusOf(r)));
	}

	// ---- HTTP --------------------------------------------------------------

	private family(path: string): FamilyName | undefined {
		const match = /^\/v1\/(squids|tasks|runs|results)(\/|$)/.exec(path);
		return match ? (match[1] as FamilyName) : undefined;
	}

	private guard(req: EmulatorRequest): EmulatorResponse | undefined {
		const family = this.family(req.path);
		const limit = family ? this.limits[family].take() : undefined;
		if (req.headers.authorization !== `Token ${this.apiKey}`) {
			return { status: 401, headers: limit?.headers, body: { detail: 'Invalid token.' } };
		}
		if (limit?.over) {
			const seconds = limit.headers['Retry-After'];
			return { status: 429, headers: limit.headers, body: { detail: `Request was throttled. Expected available in ${seconds} second${seconds === '1' ? '' : 's'}.` } };
		}
		// X-RateLimit-* on every answer, successful ones included, as the API sends them.
		if (limit) Object.assign(req.responseHeaders, limit.headers);
		return undefined;
	}

	private routes(): void {
		const s = this.server;
		s.route('GET', '/squids', (req) => {
			const list = [...this.squids.values()].sort((a, b) => b.createdAt - a.createdAt);
			return paged(req, list.map((q) => this.squidView(q)));
		});
		s.route('GET', '/tasks/:hash', (req) => {
			const task = this.tasks.get(req.params.hash);
			if (!task) return { status: 404, body: { error: { message: 'Task not found', type: 'not_found_error', param: 'task_hash' } } };
			return { status: 200, body: this.taskView(task) };
		});
		s.route('GET', '/tasks', (req) => {
			const squid = req.query.get('squid');
			if (!squid) return { status: 400, body: { error: 'squid is required' } };
			return paged(req, [...this.tasks.values()].filter((t) => t.squid === squid).map((t) => this.taskView(t)));
		});
		s.route('POST', '/runs', (req) => {
			const squidId = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>).squid : undefined;
			if (!squidId || typeof squidId !== 'string') {
				return { status: 400, body: { errors: { message: 'This field is required: squid', type: 'validation_error', code: 'required' } } };
			}
			const squid = this.squids.get(squidId);
			if (!squid) return { status: 404, body: { error: 'Squid not found' } };
			if (this.activeRunOf(squidId)) {
				return { status: 400, body: { error: { message: 'A run is already active for this squid', type: 'validation_error' } } };
			}
			const id = this.addRun(squidId, squid.nextRun);
			return { status: 200, body: this.runView(this.runs.get(id)!) };
		});
		s.route('GET', '/runs', (req) => {
			const squid = req.query.get('squid');
			if (!squid) return { status: 400, body: { errors: { message: 'The squid query parameter is required', type: 'validation_error', code: 'required' } } };
			if (!this.squids.has(squid)) return { status: 404, body: { error: 'Squid not found' } };
			const list = [...this.runs.values()].filter((r) => r.squid === squid).sort((a, b) => b.createdAt - a.createdAt);
			return paged(req, list.map((r) => this.runView(r)));
		});
		s.route('GET', '/runs/:id', (req) => {
			const run = this.runs.get(req.params.id);
			if (!run) return { status: 404, body: { detail: 'Not found.' } };
			return { status: 200, body: this.runView(run) };
		});
		s.route('GET', '/runs/:id/stats', (req) => {
			const run = this.runs.get(req.params.id);
			if (!run) return { status: 404, body: { detail: 'Not found.' } };
			return { status: 200, body: this.statsView(run) };
		});
		s.route('POST', '/runs/:id/abort', (req) => {
			const run = this.runs.get(req.params.id);
			// Unknown and finished runs get the same answer (docs/abort-run).
			if (!run || !ACTIVE.has(this.statusOf(run)) || run.abortedAt !== undefined) {
				return { status: 404, body: { error: { message: 'Run not found or already completed', type: 'not_found_error' } } };
			}
			const now = Date.now();
			run.abortedRows = this.rowsOf(run, now);
			run.abortedAt = now;
			run.uploadingUntil = now + 300;
			return { status: 200, body: { id: run.id, object: 'run', status: 'uploading', is_done: true, done_reason: 'aborted' } };
		});
		s.route('GET', '/runs/:id/download', (req) => {
			const run = this.runs.get(req.params.id);
			if (!run) return { status: 404, body: { detail: 'Not found.' } };
			if (ACTIVE.has(this.statusOf(run))) return { status: 400, body: { error: 'Export is not done yet' } };
			return { status: 200, body: { s3: `${this.server.origin}/files/${run.id}.csv?X-Amz-Signature=abc` } };
		});
		s.route('GET', '/results', (req) => {
			const runId = req.query.get('run');
			const squidId = req.query.get('squid');
			if (runId && squidId) return { status: 400, body: { error: 'Use either run or squid, not both' } };
			if (!runId && !squidId) return { status: 400, body: { error: 'One of run or squid is required' } };
			let runs: StoredRun[];
			if (runId) {
				const run = this.runs.get(runId);
				if (!run) return { status: 404, body: { detail: 'Run not found.' } };
				runs = [run];
			} else {
				if (!this.squids.has(squidId!)) return { status: 404, body: { error: 'Squid not found' } };
				runs = [...this.runs.values()].filter((r) => r.squid === squidId).sort((a, b) => a.createdAt - b.createdAt);
			}
			const task = req.query.get('task');
			const rows = runs.flatMap((r) => this.resultRows(r)).filter((row) => !task || row.task === task);
			const cap = this.resultsCap;
			if (cap === undefined || rows.length <= cap) return paged(req, rows);
			// A free plan: the rows past the cap are not served, and the totals say only what is.
			const answer = paged(req, rows.slice(0, cap));
			if (answer.status === 200) (answer.body as Record<string, unknown>).warning = `Free plan: only ${cap} results returned. Upgrade your plan to get all results.`;
			return answer;
		});
	}

	private squidView(q: StoredSquid): Record<string, unknown> {
		const runs = [...this.runs.values()].filter((r) => r.squid === q.id);
		return {
			id: q.id,
			object: 'squid',
			name: q.name,
			crawler: 'google-maps-leads-scraper',
			is_active: true,
			created_at: iso(q.createdAt),
			last_run_status: runs.length ? this.statusOf(runs.sort((a, b) => b.createdAt - a.createdAt)[0]) : null,
			total_tasks: [...this.tasks.values()].filter((t) => t.squid === q.id).length,
		};
	}

	private taskView(task: StoredTask): Record<string, unknown> {
		const latest = [...this.runs.values()].filter((r) => r.squid === task.squid).sort((a, b) => b.createdAt - a.createdAt)[0];
		const siblings = [...this.tasks.values()].filter((t) => t.squid === task.squid).length || 1;
		let status = 'pending';
		let doneReason: string | null = null;
		let results = 0;
		if (latest) {
			const run = this.statusOf(latest);
			status = { pending: 'pending', paused: 'pending', running: 'running', uploading: 'completed', done: 'completed', aborted: 'aborted', error: 'failed' }[run] ?? 'pending';
			results = Math.floor(this.rowsOf(latest) / siblings);
			doneReason = status === 'completed' ? 'completed' : status === 'aborted' ? 'run_aborted' : status === 'failed' ? 'error' : null;
		}
		if (task.forced) {
			status = task.forced.status;
			doneReason = task.forced.doneReason ?? doneReason;
		}
		const isDone = ['completed', 'aborted', 'failed'].includes(status);
		const errors = task.forced?.errors ?? null;
		return {
			hash_value: task.hash,
			created_at: iso(task.createdAt),
			is_active: true,
			params: task.params,
			module: 5,
			status: {
				status,
				started_at: latest && status !== 'pending' ? iso(latest.pausedUntil) : null,
				ended_at: isDone && latest ? iso(latest.runningUntil) : null,
				is_done: isDone,
				total_results: results,
				total_pages: Math.max(isDone ? 1 : 0, Math.ceil(results / 20)),
				done_reason: doneReason,
				has_errors: !!errors,
				errors,
			},
			object: 'task',
		};
	}

	private runView(run: StoredRun): Record<string, unknown> {
		const now = Date.now();
		const status = this.statusOf(run, now);
		const aborted = run.abortedAt !== undefined;
		// An aborted run is done at once (its partial results still upload).
		const isDone = aborted || !ACTIVE.has(status);
		const doneReason = aborted ? 'aborted' : isDone ? run.doneReason : null;
		const endedAt = aborted ? run.abortedAt : isDone ? run.uploadingUntil : null;
		return {
			id: run.id,
			object: 'run',
			squid: run.squid,
			status,
			is_done: isDone,
			started_at: now >= run.pendingUntil ? iso(run.pendingUntil) : null,
			ended_at: iso(endedAt),
			created_at: iso(run.createdAt),
			total_results: this.rowsOf(run, now),
			total_unique_results: this.rowsOf(run, now),
			done_reason: doneReason,
			done_reason_desc: doneReason === 'no_credits_left' ? 'You ran out of credits' : doneReason === 'error' ? 'The crawler crashed' : null,
			// The export of an aborted run's partial results ends with its upload.
			export_done: !ACTIVE.has(status) && status !== 'error',
			credit_used: this.rowsOf(run, now) * 0.01,
			origin: 'api',
		};
	}

	private statsView(run: StoredRun): Record<string, unknown> {
		const now = Date.now();
		const status = this.statusOf(run, now);
		let percent = 0;
		if (run.abortedAt !== undefined || !ACTIVE.has(status) || status === 'uploading') percent = 100;
		else if (status === 'running') percent = Math.floor((100 * (now - run.pausedUntil)) / Math.max(1, run.runningUntil - run.pausedUntil));
		const tasks = [...this.tasks.values()].filter((t) => t.squid === run.squid).length;
		return {
			percent_done: `${percent}%`,
			eta: ACTIVE.has(status) ? `${Math.max(0, Math.ceil((run.uploadingUntil - now) / 1000))}s` : null,
			is_done: !ACTIVE.has(status),
			total_tasks: tasks,
			total_tasks_done: Math.floor((tasks * percent) / 100),
			total_results: this.rowsOf(run, now),
		};
	}

	private resultRows(run: StoredRun): Array<Record<string, unknown>> {
		const count = this.rowsOf(run);
		const tasks = [...this.tasks.values()].filter((t) => t.squid === run.squid).map((t) => t.hash);
		return Array.from({ length: count }, (_, i) => ({
			id: `${run.id}-${i}`,
			object: 'result',
			run: run.id,
			squid: run.squid,
			task: tasks.length ? tasks[i % tasks.length] : null,
			position: i + 1,
			name: `Place ${i + 1}`,
			rating: Math.round(((i * 37) % 50) / 10 + 0.5) / 1,
			scraped_at: iso(run.pausedUntil + i),
		}));
	}
}

/** Lobstr's paging envelope; limit above 100 is refused as the API does. */
function paged(req: EmulatorRequest, all: Array<Record<string, unknown>>): EmulatorResponse {
	const limit = Number(req.query.get('limit') ?? 50);
	const page = Number(req.query.get('page') ?? 1);
	if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
		return { status: 400, body: { errors: { message: 'limit must be an integer between 1 and 100', type: 'validation_error', code: 'invalid_limit' } } };
	}
	if (!Number.isInteger(page) || page < 1) return { status: 400, body: { error: 'page must be a positive integer' } };
	const totalPages = Math.max(1, Math.ceil(all.length / limit));
	const from = (page - 1) * limit;
	const data = all.slice(from, from + limit);
	const link = (p: number) => {
		const qs = new URLSearchParams(req.query);
		qs.set('page', String(p));
		return `${req.path}?${qs.toString()}`;
	};
	return {
		status: 200,
		body: {
			total_results: all.length,
			limit,
			page,
			total_pages: totalPages,
			result_from: data.length ? from + 1 : 0,
			result_to: from + data.length,
			data,
			next: page < totalPages ? link(page + 1) : null,
			previous: page > 1 ? link(page - 1) : null,
		},
	};
}
