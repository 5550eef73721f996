/**
 * The credential "Test" button for APIs that have no "who am I" endpoint.
 *
 * Why not a declarative `test` on the credential: the only read such an API
 * offers is "get job X", which answers a valid key with 404 (no such job) and a
 * wrong key with 401/403. A declarative test can accept that 404 only through
 * `ignoreHttpStatusErrors`; its object form `{ ignore: true, except: [401, 403] }`
 * exists from n8n-workflow 2.9 on, and n8n 1.x reads any object there as "ignore
 * every status", so Test said "successful" for a wrong key. Its body rules
 * (`responseSuccessBody`) can only fail on one exact value, never require a shape.
 * A node's `testedBy` function sees the status, the headers and the body on every
 * n8n version, so the same rules hold everywhere:
 *
 * - success only when the answer has one of the statuses a valid key gets AND is
 *   recognisably the provider's own JSON (its shape or error envelope), so a Base
 *   URL pointing at a web page or missing a path segment fails;
 * - 401/403 fail with the provider's own message;
 * - redirects are not followed: the key must never travel on to another host,
 *   and a Base URL that redirects is not the API's address anyway.
 *
 * The key is added from the credential's own `authenticate` definition (the same
 * header n8n adds to every other request), not written out a second time here.
 */
import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunction,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

export interface CredentialProbe {
	/** The provider's name, for messages ("HasData"). */
	providerName: string;
	/** The credential's `authenticate` (generic headers built from `{{$credentials.field}}`). */
	authenticate: IAuthenticateGeneric;
	/** A read-only path below the Base URL, e.g. `/jobs/n8n-credential-test`. */
	path: string;
	/** The statuses this path answers a valid key with (e.g. 404 for a job that does not exist). */
	validKeyStatuses: number[];
	/** True when the body is this API's own answer: its JSON shape or error envelope. */
	isProviderAnswer: (body: unknown) => boolean;
	/** What a correct Base URL looks like, for the message when it is not one. */
	baseUrlHint: string;
}

interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

const TIMEOUT_MS = 20_000;

export function credentialTest(probe: CredentialProbe): ICredentialTestFunction {
	return async function (this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		const data = credential.data ?? {};
		const baseUrl = String(data.baseUrl ?? '').trim().replace(/\/+$/, '');
		if (!/^https?:\/\/[^/]+/i.test(baseUrl)) {
			return fail(`The Base URL "${baseUrl}" is not a web address. Enter the API address, e.g. ${probe.baseUrlHint}.`);
		}
		const url = baseUrl + probe.path;

		// A credential test function gets only n8n's legacy `request` helper
		// (ICredentialTestFunctions, 1.x and 2.x alike): the `httpRequest` that the
		// community lint recommends over `request` in node code does not exist here.
		const { helpers } = this;
		let response: FullResponse;
		try {
			response = (await helpers.request({
				method: 'GET',
				uri: url,
				headers: { Accept: 'application/json', ...authHeaders(probe.authenticate, data) },
				json: true,
				resolveWithFullResponse: true,
				simple: false,
				followRedirect: false,
				followAllRedirects: false,
				timeout: TIMEOUT_MS,
			})) as FullResponse;
		} catch (error) {
			const err = error as { code?: string; message?: string };
			return fail(`Could not reach ${hostOf(url)}: ${err.code ?? err.message ?? 'no answer'}. Check the Base URL (e.g. ${probe.baseUrlHint}) and that n8n can reach it.`);
		}

		const status = Number(response.statusCode);
		if (status >= 300 && status < 400) {
			const location = headerValue(response.headers, 'location');
			return fail(
				`${baseUrl} redirects (HTTP ${status}${location ? ` to ${location}` : ''}), so it is not the ${probe.providerName} API's own address. ` +
					`Enter the address the API answers on directly, e.g. ${probe.baseUrlHint}. The key is never sent on to another address.`,
			);
		}
		if (status === 401 || status === 403) {
			const said = providerMessage(response.body);
			return fail(`${probe.providerName} rejected the API key (HTTP ${status}${said ? `: ${said}` : ''}). Check the key, and for 403 your plan or credits.`);
		}
		if (probe.validKeyStatuses.includes(status) && probe.isProviderAnswer(response.body)) {
			return { status: 'OK', message: `Connection successful: ${probe.providerName} accepted the API key.` };
		}
		return fail(
			`${baseUrl} did not answer like the ${probe.providerName} API (HTTP ${status}, ${describeBody(response)}). ` +
				`Check the Base URL: it should look like ${probe.baseUrlHint}.`,
		);
	};
}

function fail(message: string): INodeCredentialTestResult {
	return { status: 'Error', message };
}

/**
 * The headers of a generic `authenticate` with `{{$credentials.field}}` placeholders
 * filled in. Anything else in it is a programming error, reported as such.
 */
export function authHeaders(authenticate: IAuthenticateGeneric, data: ICredentialDataDecryptedObject): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, template] of Object.entries(authenticate.properties.headers ?? {})) {
		const text = String(template);
		if (!text.startsWith('=')) {
			headers[name] = text;
			continue;
		}
		headers[name] = text.slice(1).replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, field: string) => String(data[field] ?? ''));
		if (headers[name].includes('{{')) throw new Error(`credentialTest: unsupported expression in header ${name}: ${text}`);
	}
	return headers;
}

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return String(value);
	return undefined;
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

/** The message in the error shapes these APIs use: {message}, {detail}, {error:{message}}, {error:"…"}. */
function providerMessage(body: unknown): string | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const b = body as Record<string, unknown>;
	const error = b.error as Record<string, unknown> | string | undefined;
	const candidate = b.message ?? b.detail ?? (typeof error === 'object' && error ? error.message : error);
	return typeof candidate === 'string' ? candidate.slice(0, 200) : undefined;
}

function describeBody(response: FullResponse): string {
	const type = headerValue(response.headers, 'content-type')?.split(';')[0];
	if (typeof response.body === 'string') return `${type ?? 'text'} that is not this API's JSON`;
	if (response.body === undefined || response.body === null) return 'an empty answer';
	return `JSON that is not this API's (${JSON.stringify(response.body).slice(0, 80)})`;
}
