/**
 * Records every HTTP request as it leaves the process, whatever library sent it
 * (n8n-core's own HTTP client here): Node's `http.client.request.start`
 * diagnostics channel hands over each outgoing request with its method, URL and
 * the headers as written on the wire (original letter case), then its answer's status.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export interface SentRequest {
	url: string;
	method: string;
	headers: Record<string, string>;
	/** The answer's HTTP status, once it came. */
	status?: number;
}

const recorders = new Set<SentRequest[]>();
const inFlight = new WeakMap<ClientRequest, SentRequest>();

function record({ request }: { request: ClientRequest }) {
	if (!recorders.size) return;
	const host = String(request.getHeader('host') ?? request.host);
	const headers: Record<string, string> = {};
	for (const name of request.getRawHeaderNames()) headers[name] = String(request.getHeader(name));
	const sent: SentRequest = { url: `${request.protocol}//${host}${request.path}`, method: request.method, headers };
	inFlight.set(request, sent);
	for (const list of recorders) list.push(sent);
}

function answered({ request, response }: { request: ClientRequest; response: IncomingMessage }) {
	const sent = inFlight.get(request);
	if (sent) sent.status = response.statusCode;
}

diagnostics.subscribe('http.client.request.start', record as (message: unknown) => void);
diagnostics.subscribe('http.client.response.finish', answered as (message: unknown) => void);

/** Runs `action`, appending every request sent meanwhile to `into` (when given). */
export async function recordRequests<T>(into: SentRequest[] | undefined, action: () => Promise<T>): Promise<T> {
	if (!into) return await action();
	recorders.add(into);
	try {
		return await action();
	} finally {
		recorders.delete(into);
	}
}
