/**
 * How the unit tests run the package's nodes: inside n8n's own engine
 * (n8n-core 2.41.1, the version the e2e suite's n8n runs). `runNode` builds a
 * workflow — Manual Trigger → the node — and executes it with n8n-core's
 * WorkflowExecute; the contexts returned by `executeContext`, `pollContext` and
 * `webhookContext` are n8n-core's own classes on such a workflow. Requests go
 * over real HTTP to the emulators through n8n-core's request helpers, signed by
 * the credential's own `authenticate`; the only host piece written here is the
 * credentials helper (engine/credentialsHelper.ts).
 */
import './engine/setup';

import type { ServerResponse } from 'node:http';

import { CredentialTestContext, ExecuteContext, PollContext, RoutingNode, WebhookContext } from 'n8n-core';
import { createRunExecutionData } from 'n8n-workflow';
import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
	IPollFunctions,
	IWebhookData,
	IWebhookFunctions,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { additionalDataFor, buildWorkflow, recordedError, runWorkflow } from './engine/workflowRun';
import type { ContextOptions } from './engine/workflowRun';
import { recordRequests } from './engine/requestLog';
import type { SentRequest } from './engine/requestLog';

export type { ContextOptions, EngineRun } from './engine/workflowRun';
export type { SentRequest } from './engine/requestLog';
export { additionalDataFor, buildWorkflow, outputsOf, recordedError, runWorkflow } from './engine/workflowRun';

/** Runs the node in n8n's engine and returns every output; throws the error n8n recorded. */
export async function runNodeOutputs(options: ContextOptions): Promise<INodeExecutionData[][]> {
	const { run, outputs } = await runWorkflow(options);
	const error = recordedError(run);
	if (error) throw error;
	if (!outputs) throw new Error(`test engine: the node produced no output (execution status "${run.status}")`);
	return outputs;
}

/** Runs the node in n8n's engine and returns its first output. */
export async function runNode(options: ContextOptions): Promise<INodeExecutionData[]> {
	return (await runNodeOutputs(options))[0];
}

/** n8n-core's execute context for the node, with the test's items as its input (not run). */
export function executeContext(options: ContextOptions): IExecuteFunctions {
	const mode: WorkflowExecuteMode = options.mode ?? 'manual';
	const { workflow, node } = buildWorkflow(options);
	const items = (options.items ?? [{}]).map((json, item) => ({ json, pairedItem: { item } }));
	const inputData = { main: [items] };
	const executeData = { node, data: inputData, source: { main: [{ previousNode: 'Manual Trigger' }] } };
	return new ExecuteContext(
		workflow, node, additionalDataFor(options, mode, workflow), mode, createRunExecutionData(), 0, items, inputData, executeData, [], options.signal,
	) as unknown as IExecuteFunctions;
}

/**
 * n8n-core's poll context for a polling trigger. Its static data is the
 * workflow's (n8n's ObservableObject over `options.staticData`), so the test's
 * object sees every write; `workflow.staticData.__dataChanged` is what n8n reads
 * to decide whether to save it (see `runPoll`).
 */
export function pollContext(options: ContextOptions): IPollFunctions {
	return pollOn(options).context;
}

function pollOn(options: ContextOptions) {
	const mode: WorkflowExecuteMode = options.mode ?? 'trigger';
	const { workflow, node } = buildWorkflow(options);
	const context = new PollContext(workflow, node, additionalDataFor(options, mode, workflow), mode, mode === 'manual' ? 'manual' : 'activate');
	return { context: context as unknown as IPollFunctions, workflow };
}

/**
 * One poll as n8n's active-workflow manager runs it: the poll context on a
 * workflow loaded with the SAVED static data, then the static data saved again
 * only if n8n saw it change (WorkflowStaticDataService saves only when
 * `__dataChanged`). `saved` is updated in place; returns the poll's output.
 */
export async function runPoll(options: ContextOptions & { saved: IDataObject }): Promise<{ output: INodeExecutionData[][] | null; changed: boolean }> {
	const loaded = JSON.parse(JSON.stringify(options.saved)) as IDataObject;
	const { context, workflow } = pollOn({ ...options, staticData: loaded });
	const output = await recordRequests(options.sent, async () => await options.node.poll!.call(context));
	const changed = (workflow.staticData as IDataObject).__dataChanged === true;
	if (changed) {
		for (const key of Object.keys(options.saved)) delete options.saved[key];
		Object.assign(options.saved, JSON.parse(JSON.stringify(loaded)));
	}
	return { output, changed };
}

/** What an Express response offers a webhook node: status, headers, json; recorded (and written to `raw` when given). */
export function responseObject(raw?: ServerResponse) {
	const recorded: { status: number; body?: unknown; headers: Record<string, string>; sent: boolean } = { status: 200, headers: {}, sent: false };
	const res = {
		recorded,
		status(code: number) {
			recorded.status = code;
			return res;
		},
		setHeader(name: string, value: string) {
			recorded.headers[name.toLowerCase()] = value;
			return res;
		},
		json(body: unknown) {
			recorded.body = body;
			recorded.sent = true;
			if (raw) {
				raw.writeHead(recorded.status, { ...recorded.headers, 'content-type': 'application/json' });
				raw.end(JSON.stringify(body));
			}
			return res;
		},
		end() {
			recorded.sent = true;
			if (raw) {
				raw.writeHead(recorded.status, recorded.headers);
				raw.end();
			}
			return res;
		},
	};
	return res;
}

/** n8n-core's webhook context for a webhook node receiving `body` with `headers`. */
export function webhookContext(
	options: ContextOptions,
	body: IDataObject,
	headers: Record<string, string | string[] | undefined> = {},
	response = responseObject(),
): IWebhookFunctions {
	const mode: WorkflowExecuteMode = options.mode ?? 'webhook';
	const { workflow, node } = buildWorkflow(options);
	const description = options.node.description.webhooks![0];
	const additionalData = additionalDataFor(options, mode, workflow);
	Object.assign(additionalData, { httpRequest: { body, headers, query: {}, params: {} }, httpResponse: response });
	const webhookData = {
		httpMethod: description.httpMethod,
		path: String(description.path),
		node: node.name,
		workflowId: workflow.id,
		webhookDescription: description,
	} as unknown as IWebhookData;
	return new WebhookContext(workflow, node, additionalData, mode, webhookData, [], null) as unknown as IWebhookFunctions;
}

/**
 * A credential test as n8n's credential tester (CredentialsTester) runs it. A
 * declarative `test`: its request as the routing of a one-parameter node,
 * executed by n8n-core's RoutingNode and signed by the credential; a non-2xx
 * answer (not ignored by the request) fails it, then the `responseSuccessBody`
 * rules are checked. Without one, the `testedBy` function of a node that uses
 * the credential, called in n8n-core's CredentialTestContext.
 */
export async function testCredential(
	type: ICredentialType,
	credentials: IDataObject,
	node?: INodeType,
	sent?: SentRequest[],
): Promise<{ ok: boolean; status?: number; message: string }> {
	if (!type.test) return await testWithFunction(type, credentials, node, sent);
	const probe: INodeType = {
		description: {
			displayName: 'Credential Test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Temp-Node' },
			inputs: [],
			outputs: [],
			credentials: [{ name: type.name, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: type.test!.request as IHttpRequestOptions } }],
		},
	};
	const options: ContextOptions = { node: probe, parameters: {}, credentials: { [type.name]: credentials }, credentialTypes: [type], mode: 'internal' };
	const context = executeContext(options);
	const routing = new RoutingNode(context as never, probe, { id: 'cred', name: 'cred', type: type.name, data: credentials as never });
	const requests: SentRequest[] = [];
	const status = () => requests.at(-1)?.status;
	let response: INodeExecutionData[][] | undefined | null;
	try {
		response = await recordRequests(requests, async () => await routing.runNode());
	} catch (error) {
		return { ok: false, status: status(), message: (error as Error).message };
	} finally {
		sent?.push(...requests);
	}
	const first = response?.[0]?.[0]?.json as IDataObject | undefined;
	for (const rule of type.test!.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const { key, value, message } = rule.properties as { key: string; value: unknown; message: string };
		const found = key.split('.').reduce<unknown>((v, k) => (v as IDataObject | undefined)?.[k], first);
		if (found === value) return { ok: false, message };
	}
	return { ok: true, status: status(), message: 'Connection successful!' };
}


async function testWithFunction(type: ICredentialType, credentials: IDataObject, node: INodeType | undefined, sent?: SentRequest[]) {
	const testedBy = node?.description.credentials?.find((c) => c.name === type.name)?.testedBy;
	const fn = typeof testedBy === 'string' ? node?.methods?.credentialTest?.[testedBy] : undefined;
	if (!fn) throw new Error(`test engine: ${type.name} has no test and the given node no testedBy function`);
	const options: ContextOptions = { node: node!, parameters: {}, credentials: { [type.name]: credentials }, credentialTypes: [type], mode: 'internal' };
	const { workflow } = buildWorkflow(options);
	const context = new CredentialTestContext(additionalDataFor(options, 'internal', workflow));
	const requests: SentRequest[] = [];
	try {
		const result = await recordRequests(requests, async () => await fn.call(context as never, { id: 'cred', name: 'cred', type: type.name, data: credentials as never }));
		return { ok: result.status === 'OK', status: requests.at(-1)?.status, message: result.message };
	} finally {
		sent?.push(...requests);
	}
}
