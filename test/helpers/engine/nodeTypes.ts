/**
 * The node types n8n-core looks up while it runs a test workflow: the package's
 * node under test, registered under the type name n8n gives a community node
 * ("n8n-nodes-async-jobs.<name>"), plus a start node.
 *
 * n8n-nodes-base (where n8n's Manual Trigger lives) is not a dependency — it is
 * hundreds of nodes and their libraries — so the start node is a Manual Trigger
 * of the same shape: a trigger with no inputs whose manual run emits the
 * workflow's first items. The items the test gives are pinned on it, the way a
 * user pins sample data on a trigger in the editor.
 */
import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypes, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

export const PACKAGE_PREFIX = 'n8n-nodes-async-jobs';
export const MANUAL_TRIGGER_TYPE = 'n8n-nodes-base.manualTrigger';

export class ManualTrigger implements INodeType {
	description = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Runs the flow on clicking a button in n8n',
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as INodeType['description'];

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return { manualTriggerFunction: async () => this.emit([this.helpers.returnJsonArray([{}])]) };
	}
}

/**
 * A downstream node (like n8n's Edit Fields): adds its "value" parameter, as
 * the engine resolves it per item, to each item it receives. An expression such
 * as `{{ $('Manual Trigger').item.json.tag }}` in it makes n8n follow the items'
 * pairedItem back through the node under test.
 */
export class RecordNode implements INodeType {
	description = {
		displayName: 'Record',
		name: 'record',
		group: ['transform'],
		version: 1,
		description: 'Adds "value" to each item',
		defaults: { name: 'Record' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Value', name: 'value', type: 'string', default: '' }],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, i) => ({ json: { ...item.json, value: this.getNodeParameter('value', i) as string }, pairedItem: { item: i } }))];
	}
}

export const RECORD_TYPE = 'n8n-nodes-base.record';

export function typeNameOf(node: INodeType): string {
	return `${PACKAGE_PREFIX}.${node.description.name}`;
}

export class TestNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType>();

	constructor(nodes: INodeType[]) {
		this.types.set(MANUAL_TRIGGER_TYPE, new ManualTrigger());
		this.types.set(RECORD_TYPE, new RecordNode());
		for (const node of nodes) this.types.set(typeNameOf(node), node);
	}

	getByName(name: string): INodeType {
		const type = this.types.get(name);
		if (!type) throw new Error(`test engine: unknown node type "${name}"`);
		return type;
	}

	getByNameAndVersion(name: string): INodeType {
		return this.getByName(name);
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries([...this.types.keys()].map((name) => [name, { className: name, sourcePath: '' }]));
	}
}
