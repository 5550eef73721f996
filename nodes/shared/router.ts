import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ExecutionCancelledError } from './pause';

/** What one input item produced: its output items, or why it failed. */
export type ItemResult = INodeExecutionData[] | Error;

/**
 * An operation runs over all input items at once, so that waiting operations can
 * wait for every item's job together. Most operations are written per item and
 * wrapped with `perItem`.
 */
export interface Operation {
	run(ctx: IExecuteFunctions, itemIndexes: number[]): Promise<ItemResult[]>;
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

	const out: INodeExecutionData[] = [];
	results.forEach((result, itemIndex) => {
		if (result instanceof Error) {
			if (!ctx.continueOnFail()) throw asNodeError(ctx, result, itemIndex);
			const error = asNodeError(ctx, result, itemIndex);
			out.push({
				json: { error: error.message, ...(error.description ? { errorDescription: error.description } : {}) },
				pairedItem: { item: itemIndex },
			});
			return;
		}
		for (const entry of result) out.push({ ...entry, pairedItem: { item: itemIndex } });
	});
	return [out];
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
