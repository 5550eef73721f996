import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import { ExecutionCancelledError } from './pause';

/**
 * What one input item produced: its output items (on the first output, or on
 * the output it was routed to), or why it failed.
 */
export type ItemResult = INodeExecutionData[] | RoutedItems | Error;

/** Items sent to one of several outputs (e.g. "Finished" / "Still Running"). */
export interface RoutedItems {
	output: number;
	items: INodeExecutionData[];
}

/**
 * An operation runs over all input items at once, so that waiting operations can
 * wait for every item's job together. Most operations are written per item and
 * wrapped with `perItem`.
 */
export interface Operation {
	run(ctx: IExecuteFunctions, itemIndexes: number[]): Promise<ItemResult[]>;
	/** How many outputs the node shows for this operation (1 unless it routes items). */
	outputs?: number;
}

export type PerItemHandler = (
	ctx: IExecuteFunctions,
	itemIndex: number,
) => Promise<IDataObject | IDataObject[] | INodeExecutionData[]>;

/** Runs a handler item by item, in order (never in parallel: starts stay ordered). */
export function perItem(handler: PerItemHandler): Operation {
	return {
		async run(ctx, itemIndexes) {
			const results: ItemResult[] = [];
			for (const i of itemIndexes) {
				let result: ItemResult;
				try {
					result = toItems(await handler(ctx, i));
				} catch (error) {
					result = error as Error;
				}
				// A cancel stops the whole execution, not just this item.
				if (result instanceof ExecutionCancelledError) throw result;
				results.push(result);
			}
			return results;
		},
	};
}

export function toItems(value: IDataObject | IDataObject[] | INodeExecutionData[]): INodeExecutionData[] {
	const list = Array.isArray(value) ? value : [value];
	return list.map((entry) => (isExecutionData(entry) ? entry : { json: entry as IDataObject }));
}

function isExecutionData(value: unknown): value is INodeExecutionData {
	return !!value && typeof value === 'object' && 'json' in value && typeof (value as INodeExecutionData).json === 'object';
}

/**
 * The only item loop: picks the operation, links every output item to its input
 * item (pairedItem), and turns failures into error items when the node is set to
 * continue on fail — one bad item never loses the others' results.
 */
export async function route(
	ctx: IExecuteFunctions,
	operations: Record<string, Operation>,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const resource = ctx.getNodeParameter('resource', 0, '') as string;
	const operationName = ctx.getNodeParameter('operation', 0) as string;
	const key = resource ? `${resource}:${operationName}` : operationName;
	const operation = operations[key];
	if (!operation) {
		throw new NodeOperationError(ctx.getNode(), `The operation "${operationName}" is not supported${resource ? ` for "${resource}"` : ''}`);
	}

	const itemIndexes = items.map((_, i) => i);
	let results: ItemResult[];
	try {
		results = await operation.run(ctx, itemIndexes);
	} catch (error) {
		throw asNodeError(ctx, error as Error);
	}

	const outputs: INodeExecutionData[][] = Array.from({ length: operation.outputs ?? 1 }, () => []);
	results.forEach((result, itemIndex) => {
		if (result instanceof Error) {
			if (!ctx.continueOnFail()) throw asNodeError(ctx, result, itemIndex);
			const error = asNodeError(ctx, result, itemIndex);
			// Error items go to the first output, where n8n's "Continue (using error output)" expects them.
			outputs[0].push({
				json: { error: error.message, ...(error.description ? { errorDescription: error.description } : {}) },
				pairedItem: { item: itemIndex },
			});
			return;
		}
		const { output, items } = Array.isArray(result) ? { output: 0, items: result } : result;
		// One pairedItem for all the items of one input item, and each item built as a
		// literal: an export of 100,000 rows then costs 100,000 small objects, not three
		// times that (a spread copy with its own pairedItem is 3× the size in V8).
		const pairedItem = { item: itemIndex };
		for (const entry of items) outputs[output].push(withPairedItem(entry, pairedItem));
	});
	return outputs;
}

/** The entry, linked to its input item (any pairedItem it had is replaced, as before). */
function withPairedItem(entry: INodeExecutionData, pairedItem: IPairedItemData): INodeExecutionData {
	const item: INodeExecutionData = { json: entry.json, pairedItem };
	for (const key in entry) {
		if (key !== 'json' && key !== 'pairedItem') (item as unknown as Record<string, unknown>)[key] = (entry as unknown as Record<string, unknown>)[key];
	}
	return item;
}

function asNodeError(ctx: IExecuteFunctions, error: Error, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof ExecutionCancelledError) {
		return new NodeOperationError(ctx.getNode(), 'Stopped waiting: the execution was cancelled');
	}
	return new NodeOperationError(ctx.getNode(), error, { itemIndex });
}
