import { NodeOperationError } from 'n8n-workflow';

import type { ByteStream } from './fileRowStream';
import { ExecutionCancelledError, pause } from './pause';
import { backoffMs, cancelSignalOf, lowerCaseKeys, retryPolicy, safeHost, serverWaitMs } from './transport';
import type { RequestContext } from './transport';

/** An open download: headers are in, the body is still on the wire. */
export interface OpenDownload {
	status: number;
	contentType: string;
	/** From Content-Length, when the server sent it. */
	contentLength?: number;
	body: ByteStream;
}

/**
 * Opens a link the API handed out (pre-signed storage URL, file link) as a
 * stream, WITHOUT the API key (such links carry their own authorisation, and
 * the key must never reach another host). Nothing is read yet: the caller
 * streams the body into binary data or a row parser, so a file of any size
 * costs one chunk of memory, and a caller that has enough stops the download.
 * Retried like a read until the body starts (429, 5xx, network); an error
 * answer's body is read (it is small) so the caller can say what went wrong.
 */
export async function openDownload(ctx: RequestContext, providerName: string, url: string, itemIndex?: number): Promise<OpenDownload> {
	const signal = cancelSignalOf(ctx);
	for (let attempt = 0; ; attempt++) {
		let response: { body: unknown; headers: Record<string, unknown>; statusCode: number } | undefined;
		let failure: Error | undefined;
		try {
			response = (await ctx.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: 'stream',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 10 * retryPolicy.requestTimeoutMs,
				abortSignal: signal,
			})) as typeof response;
		} catch (error) {
			failure = error as Error;
		}
		if (!response) {
			if (signal?.aborted) throw new ExecutionCancelledError();
			if (attempt < retryPolicy.maxRetries) {
				await pause(backoffMs(attempt), signal);
				continue;
			}
			throw new NodeOperationError(ctx.getNode(), `Could not download the ${providerName} file: ${failure?.message}`, {
				itemIndex,
				description: `Download link host: ${safeHost(url)}`,
			});
		}
		const status = Number(response.statusCode);
		const headers = lowerCaseKeys(response.headers);
		const body = asByteStream(response.body);
		if ((status === 429 || status >= 500) && attempt < retryPolicy.maxRetries) {
			body.destroy?.();
			await pause(serverWaitMs(headers) ?? backoffMs(attempt), signal);
			continue;
		}
		const length = Number(headers['content-length']);
		return {
			status,
			contentType: String(headers['content-type'] ?? ''),
			contentLength: Number.isFinite(length) && headers['content-length'] !== undefined ? length : undefined,
			body,
		};
	}
}

/** Reads a (small) body whole: for error answers. At most `maxBytes` are kept. */
export async function readSmallBody(body: ByteStream, maxBytes = 64 * 1024): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		chunks.push(bytes);
		size += bytes.length;
		if (size >= maxBytes) {
			body.destroy?.();
			break;
		}
	}
	return Buffer.concat(chunks);
}

/** n8n hands a stream for `encoding: 'stream'`; a host that buffers anyway gives bytes, wrapped alike. */
function asByteStream(body: unknown): ByteStream {
	if (body && typeof (body as ByteStream)[Symbol.asyncIterator] === 'function') return body as ByteStream;
	const bytes = Buffer.isBuffer(body)
		? body
		: body instanceof ArrayBuffer
			? Buffer.from(body)
			: Buffer.from(typeof body === 'string' ? body : body === undefined || body === null ? '' : JSON.stringify(body));
	return {
		async *[Symbol.asyncIterator]() {
			yield bytes;
		},
	};
}
