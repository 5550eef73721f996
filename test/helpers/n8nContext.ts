/**
 * Test stand-ins for n8n's execute and poll contexts. Everything a node does
 * over the network really happens: requests go over HTTP (axios, mapped from
 * n8n's request options the way n8n-core's httpRequest maps them) to the
 * emulators, with the credential's `authenticate` headers applied as n8n does.
 * Only the parts of n8n that are not under test (parameter storage, binary
 * storage, static data persistence) are simple in-memory versions.
 */
import axios from 'axios';
import type { AxiosRequestConfig } from 'axios';
import { NodeApiError } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	IPollFunctions,
	NodeExecutionHint,
} from 'n8n-workflow';

export interface SentRequest {
	url: string;
	method: string;
	headers: Record<string, string>;
}

export interface ContextOptions {
	node: INodeType;
	/** Parameter values; a function gives a per-item value. Unset ones take the description's default. */
	parameters: Record<string, unknown | ((itemIndex: number) => unknown)>;
	credentials: Record<string, IDataObject>;
	credentialTypes: ICredentialType[];
	items?: IDataObject[];
	continueOnFail?: boolean;
	signal?: AbortSignal;
	mode?: 'manual' | 'trigger' | 'internal';
	staticData?: IDataObject;
	/** Every request the node sent, with the headers it carried. */
	sent?: SentRequest[];
	/** Collects the execution hints the node adds (shown above its output in n8n). */
	hints?: NodeExecutionHint[];
}

/** Resolves n8n's `={{ … }}` expressions over $credentials, enough for credential definitions. */
export function resolveCredentialExpression(value: unknown, credentials: IDataObject): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	return value.slice(1).replace(/\{\{([\s\S]+?)\}\}/g, (_, expr: string) =>
		String(new Function('$credentials', `return (${expr});`)(credentials)),
	);
}

function applyAuthenticate(options: IHttpRequestOptions, type: ICredentialType, credentials: IDataObject): IHttpRequestOptions {
	const auth = type.authenticate as { type: string; properties: { headers?: IDataObject; qs?: IDataObject } } | undefined;
	if (!auth || auth.type !== 'generic') return options;
	const headers: IDataObject = { ...(options.headers ?? {}) };
	for (const [key, value] of Object.entries(auth.properties.headers ?? {})) headers[key] = resolveCredentialExpression(value, credentials) as string;
	const qs: IDataObject = { ...(options.qs ?? {}) };
	for (const [key, value] of Object.entries(auth.properties.qs ?? {})) qs[key] = resolveCredentialExpression(value, credentials) as string;
	return { ...options, headers, qs };
}

/** n8n-core's httpRequest, reduced to the options our nodes use. */
export async function sendLikeN8n(options: IHttpRequestOptions, sent?: SentRequest[]): Promise<unknown> {
	const headers: Record<string, string> = { ...((options.headers as Record<string, string>) ?? {}) };
	if (options.json && !Object.keys(headers).some((h) => h.toLowerCase() === 'accept')) headers.Accept = 'application/json';
	const config: AxiosRequestConfig = {
		url: options.url,
		baseURL: options.baseURL,
		method: options.method ?? 'GET',
		headers,
		params: options.qs,
		timeout: options.timeout,
		signal: options.abortSignal as AbortSignal | undefined,
		responseType: options.encoding as AxiosRequestConfig['responseType'],
		maxRedirects: options.disableFollowRedirect ? 0 : 5,
	};
	const body = options.body as unknown;
	const method = String(config.method).toUpperCase();
	if (method !== 'GET' && (typeof body === 'string' || (body && typeof body === 'object' && Object.keys(body).length))) config.data = body;
	const ignore = options.ignoreHttpStatusErrors as boolean | { ignore: true; except: number[] } | undefined;
	if (ignore) config.validateStatus = typeof ignore === 'object' ? (s) => !ignore.except.includes(s) : () => true;
	sent?.push({ url: new URL(options.url, options.baseURL).toString(), method, headers });
	const result = await axios.request(config);
	if (options.returnFullResponse) {
		return { body: result.data, headers: result.headers, statusCode: result.status, statusMessage: result.statusText };
	}
	return result.data;
}

function defaultsOf(properties: INodeProperties[]): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const p of properties) if (!(p.name in out)) out[p.name] = p.default;
	return out;
}

function baseContext(options: ContextOptions) {
	const description = options.node.description;
	const defaults = defaultsOf(description.properties);
	const node: INode = {
		id: 'test-node',
		name: description.defaults.name ?? description.displayName,
		type: description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const staticData = options.staticData ?? {};
	const credentialType = (name: string) => {
		const type = options.credentialTypes.find((t) => t.name === name);
		if (!type) throw new Error(`test context: no credential type ${name}`);
		return type;
	};
	const getParameter = (name: string, itemIndex: number, fallback?: unknown) => {
		const value = name in options.parameters ? options.parameters[name] : name in defaults ? defaults[name] : fallback;
		return typeof value === 'function' ? (value as (i: number) => unknown)(itemIndex) : value;
	};
	return {
		getNode: () => node,
		getMode: () => options.mode ?? 'manual',
		getActivationMode: () => 'activate',
		getCredentials: async (name: string) => {
			const credentials = options.credentials[name];
			if (!credentials) throw new Error(`test context: no credentials ${name}`);
			return credentials;
		},
		getWorkflowStaticData: () => staticData,
		getExecutionCancelSignal: () => options.signal,
		onExecutionCancellation: () => undefined,
		continueOnFail: () => options.continueOnFail ?? false,
		getPollBudgetMs: () => 60_000,
		logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
		getParameter,
		helpers: {
			httpRequestWithAuthentication: async (name: string, request: IHttpRequestOptions) => {
				const credentials = options.credentials[name];
				const authed = applyAuthenticate({ ...request, abortSignal: options.signal ?? request.abortSignal }, credentialType(name), credentials);
				try {
					return await sendLikeN8n(authed, options.sent);
				} catch (error) {
					// n8n wraps every failure of this helper in NodeApiError.
					throw new NodeApiError(node, error as never);
				}
			},
			httpRequest: async (request: IHttpRequestOptions) => sendLikeN8n(request, options.sent),
			prepareBinaryData: async (data: Buffer, fileName?: string, mimeType?: string) => ({
				data: data.toString('base64'),
				mimeType: mimeType ?? 'application/octet-stream',
				fileName,
				fileSize: String(data.length),
				fileExtension: fileName?.split('.').pop(),
			}),
			returnJsonArray: (data: IDataObject | IDataObject[]) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		},
	};
}

export function executeContext(options: ContextOptions): IExecuteFunctions {
	const base = baseContext(options);
	const items: INodeExecutionData[] = (options.items ?? [{}]).map((json) => ({ json }));
	return {
		...base,
		getInputData: () => items,
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => base.getParameter(name, itemIndex, fallback),
		addExecutionHints: (...hints: NodeExecutionHint[]) => options.hints?.push(...hints),
	} as unknown as IExecuteFunctions;
}

export function pollContext(options: ContextOptions): IPollFunctions {
	const base = baseContext(options);
	return {
		...base,
		getNodeParameter: (name: string, fallback?: unknown) => base.getParameter(name, 0, fallback),
		__emit: () => undefined,
		__emitError: () => undefined,
	} as unknown as IPollFunctions;
}

/** Runs a node's execute() the way n8n would, returning its first output. */
export async function runNode(options: ContextOptions): Promise<INodeExecutionData[]> {
	const output = await options.node.execute!.call(executeContext(options));
	return (output as INodeExecutionData[][])[0];
}

/** Runs a node's execute() and returns every output (for nodes that route items). */
export async function runNodeOutputs(options: ContextOptions): Promise<INodeExecutionData[][]> {
	return (await options.node.execute!.call(executeContext(options))) as INodeExecutionData[][];
}

/**
 * What n8n's credential tester (CredentialsTester.testCredentials, 1.x and 2.x)
 * decides for a credential: its declarative `test` — the request, non-2xx fails,
 * then the `responseSuccessBody` rules — or, when it has none, the `testedBy`
 * function of a node that uses it, called with n8n's legacy `request` helper.
 */
export async function testCredential(
	type: ICredentialType,
	credentials: IDataObject,
	node?: INodeType,
	sent?: SentRequest[],
): Promise<{ ok: boolean; status?: number; message: string }> {
	if (!type.test) {
		const testedBy = node?.description.credentials?.find((c) => c.name === type.name)?.testedBy;
		const fn = typeof testedBy === 'string' ? node?.methods?.credentialTest?.[testedBy] : undefined;
		if (!fn) throw new Error(`test context: ${type.name} has no test and the given node no testedBy function`);
		const context = { helpers: { request: (opts: IDataObject) => legacyRequest(opts, sent) } } as unknown as ICredentialTestFunctions;
		const result = await fn.call(context, { id: 'test', name: 'test', type: type.name, data: credentials as ICredentialDataDecryptedObject });
		return { ok: result.status === 'OK', message: result.message };
	}
	const request = type.test.request;
	const resolved = {
		...(request as IHttpRequestOptions),
		url: resolveCredentialExpression(request.url, credentials) as string,
		baseURL: resolveCredentialExpression(request.baseURL, credentials) as string,
		json: true,
	} as IHttpRequestOptions;
	let response: { statusCode: number; body: unknown };
	try {
		response = (await sendLikeN8n({ ...applyAuthenticate(resolved, type, credentials), returnFullResponse: true }, sent)) as typeof response;
	} catch (error) {
		const status = (error as { response?: { status: number } }).response?.status;
		return { ok: false, status, message: `HTTP ${status ?? (error as Error).message}` };
	}
	for (const rule of type.test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const { key, value, message } = rule.properties as { key: string; value: unknown; message: string };
		const body = response.body as IDataObject | string | undefined;
		const found = body && typeof body === 'object' ? key.split('.').reduce<unknown>((v, k) => (v as IDataObject | undefined)?.[k], body) : undefined;
		if (found === value) return { ok: false, status: response.statusCode, message };
	}
	return { ok: true, status: response.statusCode, message: 'Connection successful!' };
}

/** n8n's legacy `helpers.request` (request-promise options mapped to axios), as credential test functions get it. */
async function legacyRequest(opts: IDataObject, sent?: SentRequest[]): Promise<unknown> {
	const headers = { ...((opts.headers as Record<string, string>) ?? {}) };
	sent?.push({ url: String(opts.uri), method: String(opts.method ?? 'GET'), headers });
	const result = await axios.request({
		url: String(opts.uri),
		method: String(opts.method ?? 'GET'),
		headers,
		timeout: opts.timeout as number | undefined,
		maxRedirects: opts.followRedirect === false && !opts.followAllRedirects ? 0 : 5,
		validateStatus: () => true,
	});
	if (opts.simple !== false && (result.status < 200 || result.status > 299)) throw Object.assign(new Error(`${result.status}`), { statusCode: result.status });
	return opts.resolveWithFullResponse ? { body: result.data, headers: result.headers, statusCode: result.status, statusMessage: result.statusText } : result.data;
}
