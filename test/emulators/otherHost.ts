/**
 * A host that is NOT the provider's API, for credential and redirect tests:
 * - a web page: every path answers 200 with HTML (a website, or an SPA's catch-all);
 * - or, with `redirectTo`, a redirect of every path to that origin.
 * It records every request with its headers, so a test can prove that no API key
 * ever reached it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtherHostRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
}

export class OtherHost {
	readonly requests: OtherHostRequest[] = [];
	private server?: http.Server;

	/** `redirect.to`: an origin (or base URL) every request is redirected to, path kept; `status`: 301, 302, 307… */
	constructor(public redirect?: { to: string; status?: number }) {}

	async start(host = '127.0.0.1'): Promise<string> {
		this.server = http.createServer((req, res) => {
			this.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
			if (this.redirect) {
				res.writeHead(this.redirect.status ?? 302, { location: this.redirect.to.replace(/\/+$/, '') + (req.url ?? '/') });
				res.end();
				return;
			}
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			res.end('<!doctype html><html><head><title>Acme Inc.</title></head><body><h1>Welcome</h1></body></html>');
		});
		await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
		return this.baseUrl;
	}

	get baseUrl(): string {
		const address = this.server!.address() as AddressInfo;
		return `http://${address.address}:${address.port}`;
	}

	/** Requests that carried `value` in any header (an API key that should never have come here). */
	requestsCarrying(value: string): OtherHostRequest[] {
		return this.requests.filter((r) => Object.values(r.headers).some((h) => String(h).includes(value)));
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}
}
