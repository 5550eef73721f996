/**
 * Runs one node the way n8n does: a workflow of a Manual Trigger (carrying the
 * test's items as pinned data) → the node under test, executed by n8n-core's
 * WorkflowExecute with n8n-core's contexts, parameter resolution, expression
 * engine, request helpers and error handling. What the engine records (each
 * output, the error, waitTill, the status) is what the test sees.
 */
import './setup';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { Workflow } from 'n8n-workflow';
import type {
	IConnections,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	NodeExecutionHint,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { TestCredentialsHelper } from './credentialsHelper';
import { MANUAL_TRIGGER_TYPE, RECORD_TYPE, TestNodeTypes, typeNameOf } from './nodeTypes';
import { recordRequests } from './requestLog';
import type { SentRequest } from './requestLog';

export interface ContextOptions {
	node: INodeType;
	/**
	 * Parameter values. A function gives a per-item value: it becomes an n8n
	 * expression that picks the value by `$itemIndex`, so the engine resolves it
	 * per item as it would a user's expression. Unset ones take the description's
	 * default, and parameters the node does not show for the chosen operation are
	 * dropped — both by n8n, as in the editor.
	 */
	parameters: Record<string, unknown | ((itemIndex: number) => unknown)>;
	credentials: Record<string, IDataObject>;
	credentialTypes: ICredentialType[];
	/** The node's input items (default: one empty item). */
	items?: IDataObject[];
	/** The node's "On Error: Continue" setting. */
	continueOnFail?: boolean;
	/** Cancels the execution when it fires (as the Stop button does). */
	signal?: AbortSignal;
	mode?: 'manual' | 'trigger' | 'internal' | 'webhook';
	/** The node's static data (`getWorkflowStaticData('node')`); written to as the node writes. */
	staticData?: IDataObject;
	/** Every request sent during the run, as it went on the wire. */
	sent?: SentRequest[];
	/** Collects the execution hints the node adds (shown above its output in n8n). */
	hints?: NodeExecutionHint[];
	/** The workflow id n8n would give. */
	workflowId?: string;
	/**
	 * Record nodes after the node under test, by name: fed from its output
	 * `output`, adding `value` (an expression, resolved per item) to each item.
	 */
	downstream?: Record<string, { output: number; value: string }>;
	/** Where n8n answers parked executions' resume URLs (`$execution.resumeUrl`). */
	webhookWaitingBaseUrl?: string;
}

/** A node's outputs in an execution's run data (its first run). */
export function outputsOf(run: IRun, nodeName: string): INodeExecutionData[][] | undefined {
	return run.data.resultData.runData[nodeName]?.[0]?.data?.main as INodeExecutionData[][] | undefined;
}

export interface EngineRun {
	/** What WorkflowExecute resolved with. */
	run: IRun;
	/** What n8n saves: the run its "workflowExecuteAfter" hook received first (at the cancel, for a stopped execution). */
	saved?: IRun;
	/** Static data n8n would save with it (only when it saw a change). */
	newStaticData?: IDataObject;
	executionId: string;
	/** The node under test's outputs (one list per output), or undefined if it did not finish. */
	outputs: INodeExecutionData[][] | undefined;
	workflow: Workflow;
	node: INode;
}

let executionCounter = 0;

/** An n8n expression that picks `values[$itemIndex]` (a missing value is `undefined`). */
function perItemExpression(name: string, values: unknown[]): string {
	const literal = `[${values.map((v) => (v === undefined ? 'undefined' : JSON.stringify(v, null, 1))).join(', ')}]`;
	if (literal.includes('}}')) throw new Error(`test engine: the per-item values of "${name}" contain "}}", which ends an n8n expression`);
	return `={{ ${literal}[$itemIndex] }}`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Per-item functions → n8n expressions indexed by `$itemIndex`, as a user would
 * write them. A collection (an object per item) cannot be one expression in n8n
 * (the editor sets an expression per field), so each of its fields gets one.
 */
function toNodeParameters(options: ContextOptions, itemCount: number): INodeParameters {
	const out: INodeParameters = {};
	for (const [name, value] of Object.entries(options.parameters)) {
		if (typeof value !== 'function') {
			out[name] = value as INodeParameters[string];
			continue;
		}
		const values = Array.from({ length: itemCount }, (_, i) => (value as (i: number) => unknown)(i));
		if (values.every((v) => v === undefined || isPlainObject(v))) {
			const fields = [...new Set(values.flatMap((v) => Object.keys(v ?? {})))];
			out[name] = Object.fromEntries(fields.map((field) => [field, perItemExpression(`${name}.${field}`, values.map((v) => (v as Record<string, unknown> | undefined)?.[field]))]));
			continue;
		}
		out[name] = perItemExpression(name, values.map((v) => v ?? null));
	}
	return out;
}

export function buildWorkflow(options: ContextOptions, extraNodes: INodeType[] = []) {
	const description = options.node.description;
	const versions = Array.isArray(description.version) ? description.version : [description.version];
	const itemCount = options.items?.length ?? 1;
	const trigger: INode = { id: 'manual-trigger', name: 'Manual Trigger', type: MANUAL_TRIGGER_TYPE, typeVersion: 1, position: [0, 0], parameters: {} };
	const node: INode = {
		id: 'node-under-test',
		name: description.defaults.name ?? description.displayName,
		type: typeNameOf(options.node),
		typeVersion: Math.max(...versions),
		position: [220, 0],
		parameters: toNodeParameters(options, itemCount),
		credentials: Object.fromEntries(Object.keys(options.credentials).map((type) => [type, { id: `cred-${type}`, name: `Test ${type}` }])),
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const staticData: IDataObject = options.staticData ? { [`node:${node.name}`]: options.staticData } : {};
	// A trigger under test starts the workflow itself; any other node gets the Manual Trigger before it.
	const isTrigger = Array.isArray(description.inputs) && description.inputs.length === 0;
	const downstream = Object.entries(options.downstream ?? {}).map(([name, d], n) => ({
		node: { id: `record-${n}`, name, type: RECORD_TYPE, typeVersion: 1, position: [440, n * 200], parameters: { value: d.value } } as INode,
		output: d.output,
	}));
	const outputs: Array<Array<{ node: string; type: 'main'; index: number }>> = [];
	for (const d of downstream) (outputs[d.output] ??= []).push({ node: d.node.name, type: 'main', index: 0 });
	const connections: IConnections = isTrigger ? {} : { [trigger.name]: { main: [[{ node: node.name, type: 'main', index: 0 }]] } };
	if (downstream.length) connections[node.name] = { main: Array.from(outputs, (o) => o ?? []) };
	const workflow = new Workflow({
		id: options.workflowId ?? 'test-workflow',
		name: 'Test workflow',
		nodes: [...(isTrigger ? [] : [trigger]), node, ...downstream.map((d) => d.node)],
		connections,
		active: false,
		nodeTypes: new TestNodeTypes([options.node, ...extraNodes]),
		staticData,
		settings: { executionOrder: 'v1' },
	});
	return { workflow, trigger: isTrigger ? undefined : trigger, node: workflow.getNode(node.name)! };
}

/** The host's part of an execution: ids, URLs, hooks and the credentials helper. */
export function additionalDataFor(options: ContextOptions, mode: WorkflowExecuteMode, workflow: Workflow, executionId = String(++executionCounter)) {
	const workflowData = { id: workflow.id, name: workflow.name, nodes: Object.values(workflow.nodes), connections: workflow.connectionsBySourceNode, active: false, settings: workflow.settings } as unknown as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const additionalData = {
		hooks,
		executionId,
		credentialsHelper: new TestCredentialsHelper(options.credentialTypes, options.credentials),
		restApiUrl: 'http://127.0.0.1:5679/rest',
		instanceBaseUrl: 'http://127.0.0.1:5679/',
		webhookBaseUrl: 'http://127.0.0.1:5679/webhook',
		webhookWaitingBaseUrl: options.webhookWaitingBaseUrl ?? 'http://127.0.0.1:5679/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5679/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5679/form-waiting',
		currentNodeParameters: undefined,
		currentNodeExecutionIndex: 0,
		variables: {},
		userId: 'test-user',
	} as unknown as IWorkflowExecuteAdditionalData;
	return additionalData;
}

/** Runs Manual Trigger → node under test in n8n-core; resolves with what the engine recorded. */
export async function runWorkflow(options: ContextOptions): Promise<EngineRun> {
	const mode: WorkflowExecuteMode = options.mode ?? 'manual';
	const { workflow, trigger, node } = buildWorkflow(options);
	const additionalData = additionalDataFor(options, mode, workflow);
	const after: Array<{ run: IRun; newStaticData?: IDataObject }> = [];
	additionalData.hooks!.addHandler('workflowExecuteAfter', (saved, newStaticData) => void after.push({ run: saved, newStaticData }));
	const execute = new WorkflowExecute(additionalData, mode);
	const pinData = trigger ? { [trigger.name]: (options.items ?? [{}]).map((json) => ({ json })) } : {};
	const run = await recordRequests(options.sent, async () => {
		const running = execute.run({ workflow, startNode: trigger ?? node, pinData });
		const cancel = () => running.cancel();
		if (options.signal?.aborted) cancel();
		options.signal?.addEventListener('abort', cancel);
		try {
			return await running;
		} finally {
			options.signal?.removeEventListener('abort', cancel);
		}
	});
	const task = run.data.resultData.runData[node.name]?.[0];
	if (options.hints && task?.hints) options.hints.push(...(task.hints as NodeExecutionHint[]));
	return {
		run,
		saved: after[0]?.run,
		newStaticData: after[0]?.newStaticData,
		executionId: String(additionalData.executionId),
		outputs: task?.data?.main as INodeExecutionData[][] | undefined,
		workflow,
		node,
	};
}

/**
 * The error n8n recorded for the execution, as an Error again (n8n keeps a plain
 * copy of the thrown error: message, description, httpCode, context, …).
 */
export function recordedError(run: IRun): Error | undefined {
	const recorded = run.data.resultData.error as (Error & IDataObject) | undefined;
	if (!recorded) return undefined;
	const error = new Error(recorded.message);
	Object.assign(error, recorded);
	// Keep the class name n8n shows ("NodeOperationError", "NodeApiError").
	Object.defineProperty(error, 'constructor', { value: { name: recorded.name } });
	return error;
}
