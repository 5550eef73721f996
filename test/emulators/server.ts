/**
 * A tiny HTTP server for provider emulators: routing, a request log, and
 * switches a test can flip (inject failures, add latency). Each provider's
 * emulator adds its own routes and state on top; none of them is kinder than
 * the API described in shared/providers.md.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatorRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: http.IncomingHttpHeaders;
	body: any;
	params: Record<string, string>;
	at: number;
	/** Headers to add to whatever answer this request gets (e.g. X-RateLimit-* on every response). */
	responseHeaders: Record<string, string>;
	/** Body bytes handed to the socket (large bodies go in chunks, so a client that stops early shows). */
	bytesSent?: number;
}

export interface EmulatorResponse {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** Raw bytes instead of JSON (file downloads). */
	raw?: Buffer | string;
}

/** Bodies above this size are written in chunks of CHUNK bytes, waiting for the client. */
const LARGE_BODY = 256 * 1024;
const CHUNK = 64 * 1024;

export type Handler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

export interface Injection {
	status: number;
	/** How many matching requests get this answer. */
	count: number;
	body?: unknown;
	headers?: Record<string, string>;
	method?: string;
	pathPrefix?: string;
	/** Drop the connection instead of answering (a network error). */
	dropConnection?: boolean;
	/** Answer normally, but only after this long (a slow response). */
	delayMs?: number;
	/** Raw bytes instead of a JSON body (an HTML proxy page, a body cut short). */
	raw?: string | Buffer;
}

/** A share of matching requests answered with an error, at random (a flaky API). */
export interface RandomFault {
	/** 0..1: the share of matching requests that get this answer. */
	rate: number;
	status: number;
	headers?: Record<string, string>;
	method?: string;
	pathPrefix?: string;
}

interface Route {
	method: string;
	pattern: RegExp;
	keys: string[];
	handler: Handler;
}

/**
 * A limit on simultaneous requests (not requests per minute), per key (e.g. per
 * API key): a request arriving while `max` of its key are still being answered
 * gets `refuse()` at once.
 */
export interface InFlightLimit {
	max: number;
	keyOf: (req: EmulatorRequest) => string;
	refuse: (max: number) => EmulatorResponse;
}

export class EmulatorServer {
	readonly requests: EmulatorRequest[] = [];
	/**
	 * How long a request takes to reach the API's handlers (rate limits included):
	 * `latencyMs` plus a random 0–`latencyJitterMs`, as over a real network, where
	 * the server counts a request some unknown time after it was sent.
	 */
	latencyMs = 0;
	latencyJitterMs = 0;
	/** Checked in order on every request after the latency: e.g. 20 % 503 then 10 % 429. */
	randomFaults: RandomFault[] = [];
	/** How many answers the random faults gave, by status. */
	readonly faultsSent: Record<number, number> = {};
	inFlightLimit?: InFlightLimit;
	/** Requests refused by `inFlightLimit`. */
	refusedInFlight = 0;
	/** The most requests of one key that were ever in flight at once. */
	peakInFlight = 0;
	private readonly inFlight = new Map<string, number>();
	private readonly routes: Route[] = [];
	private readonly injections: Injection[] = [];
	private server?: http.Server;
	/** Runs before routing; return a response to short-circuit (auth, rate limits). */
	guard?: (req: EmulatorRequest) => EmulatorResponse | undefined;

	constructor(private readonly prefix = '') {}

	route(method: string, path: string, handler: Handler): void {
		const keys: string[] = [];
		const source = (this.prefix + path).replace(/:(\w+)/g, (_, key: string) => {
			keys.push(key);
			return '([^/]+)';
		});
		this.routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler });
	}

	/** The next `count` matching requests fail with `status` (or a dropped connection). */
	inject(injection: Injection): void {
		this.injections.push({ ...injection });
	}

	count(method?: string, pathPrefix?: string): number {
		return this.requests.filter(
			(r) => (!method || r.method === method) && (!pathPrefix || r.path.startsWith(this.prefix + pathPrefix)),
		).length;
	}

	async start(port = 0): Promise<string> {
		this.server = http.createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		return this.origin;
	}

	get origin(): string {
		const address = this.server!.address() as AddressInfo;
		return `http://127.0.0.1:${address.port}`;
	}

	get baseUrl(): string {
		return this.origin + this.prefix;
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const url = new URL(req.url ?? '/', 'http://emulator');
		const text = Buffer.concat(chunks).toString('utf8');
		let body: unknown = text;
		try {
			body = text ? JSON.parse(text) : undefined;
		} catch {
			/* keep text */
		}
		const request: EmulatorRequest = {
			method: req.method ?? 'GET',
			path: url.pathname,
			query: url.searchParams,
			headers: req.headers,
			body,
			params: {},
			at: Date.now(),
			responseHeaders: {},
		};
		this.requests.push(request);
		const limit = this.inFlightLimit;
		if (!limit) return this.answer(req, res, request);
		const key = limit.keyOf(request);
		const busy = this.inFlight.get(key) ?? 0;
		if (busy >= limit.max) {
			this.refusedInFlight++;
			return this.send(res, limit.refuse(limit.max), request);
		}
		this.inFlight.set(key, busy + 1);
		this.peakInFlight = Math.max(this.peakInFlight, busy + 1);
		try {
			await this.answer(req, res, request);
		} finally {
			this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
		}
	}

	private async answer(req: http.IncomingMessage, res: http.ServerResponse, request: EmulatorRequest): Promise<void> {
		const latency = this.latencyMs + Math.random() * this.latencyJitterMs;
		if (latency > 0) await new Promise((r) => setTimeout(r, latency));

		const injection = this.injections.find(
			(i) => i.count > 0 && (!i.method || i.method === request.method) && (!i.pathPrefix || request.path.startsWith(this.prefix + i.pathPrefix)),
		);
		if (injection) {
			injection.count--;
			if (injection.delayMs) await new Promise((r) => setTimeout(r, injection.delayMs));
		}
		if (injection && !injection.delayMs) {
			if (injection.dropConnection) {
				req.socket.destroy();
				return;
			}
			if (injection.raw !== undefined) return this.send(res, { status: injection.status, raw: injection.raw, headers: injection.headers }, request);
			return this.send(res, { status: injection.status, body: injection.body ?? { error: { message: `Injected ${injection.status}` } }, headers: injection.headers }, request);
		}

		const roll = Math.random();
		let threshold = 0;
		for (const fault of this.randomFaults) {
			if ((fault.method && fault.method !== request.method) || (fault.pathPrefix && !request.path.startsWith(this.prefix + fault.pathPrefix))) continue;
			threshold += fault.rate;
			if (roll < threshold) {
				this.faultsSent[fault.status] = (this.faultsSent[fault.status] ?? 0) + 1;
				return this.send(res, { status: fault.status, body: { error: { message: `Random fault ${fault.status}` } }, headers: fault.headers }, request);
			}
		}

		const guarded = this.guard?.(request);
		if (guarded) return this.send(res, guarded, request);

		for (const route of this.routes) {
			if (route.method !== request.method) continue;
			const match = route.pattern.exec(request.path);
			if (!match) continue;
			route.keys.forEach((key, i) => (request.params[key] = decodeURIComponent(match[i + 1])));
			try {
				return this.send(res, await route.handler(request), request);
			} catch (error) {
				return this.send(res, { status: 500, body: { error: { message: (error as Error).message } } }, request);
			}
		}
		this.send(res, { status: 404, body: { detail: 'Not Found' } }, request);
	}

	private send(res: http.ServerResponse, response: EmulatorResponse, request?: EmulatorRequest): void {
		const headers: Record<string, string> = { ...(request?.responseHeaders ?? {}), ...(response.headers ?? {}) };
		let payload: Buffer | string = '';
		if (response.raw !== undefined) payload = response.raw;
		else if (response.body !== undefined) {
			payload = JSON.stringify(response.body);
			headers['content-type'] ??= 'application/json';
		}
		const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
		headers['content-length'] ??= String(bytes.length);
		res.writeHead(response.status, headers);
		if (bytes.length <= LARGE_BODY) {
			if (request) request.bytesSent = bytes.length;
			res.end(bytes);
			return;
		}
		void this.sendInChunks(res, bytes, request);
	}

	/** Like a storage host: the body goes out as the client reads it, and stops when it hangs up. */
	private async sendInChunks(res: http.ServerResponse, bytes: Buffer, request?: EmulatorRequest): Promise<void> {
		let closed = false;
		res.once('close', () => (closed = true));
		let sent = 0;
		while (sent < bytes.length && !closed) {
			const chunk = bytes.subarray(sent, sent + CHUNK);
			sent += chunk.length;
			if (request) request.bytesSent = sent;
			if (!res.write(chunk)) await new Promise<void>((resolve) => {
				const done = () => {
					res.off('drain', done);
					res.off('close', done);
					resolve();
				};
				res.once('drain', done);
				res.once('close', done);
			});
		}
		if (!closed) res.end();
	}
}

/** A fixed-window rate limiter that answers like the real APIs: 429 + Retry-After + X-RateLimit-*. */
export class WindowRateLimit {
	private windowStart = 0;
	private used = 0;
	rejected = 0;

	constructor(public limit: number, public windowMs: number) {}

	/** Counts the request; returns the headers to send and whether it is over the limit. */
	take(now = Date.now()): { over: boolean; headers: Record<string, string> } {
		if (now - this.windowStart >= this.windowMs) {
			this.windowStart = now;
			this.used = 0;
		}
		this.used++;
		const over = this.used > this.limit;
		if (over) this.rejected++;
		const resetMs = this.windowStart + this.windowMs;
		const headers: Record<string, string> = {
			'X-RateLimit-Limit': String(this.limit),
			'X-RateLimit-Remaining': String(Math.max(0, this.limit - this.used)),
			'X-RateLimit-Reset': String(Math.ceil(resetMs / 1000)),
		};
		if (over) headers['Retry-After'] = String(Math.max(1, Math.ceil((resetMs - now) / 1000)));
		return { over, headers };
	}
}
