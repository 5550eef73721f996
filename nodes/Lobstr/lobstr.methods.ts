import { NodeOperationError } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
	INodeProperties,
} from 'n8n-workflow';

import type { Show } from '../shared/descriptions';
import { squidsPage } from './lobstr.adapter';
import type { Squid } from './lobstr.adapter';

/**
 * The squid picker: from a searchable list, or by ID. `required` only where no
 * parameter that can be an expression decides whether it is shown (n8n would
 * demand it even when hidden); readSquid checks it when the node runs anyway.
 */
export function squidLocator(show: Show, description: string, required = true): INodeProperties {
	return {
		displayName: 'Squid',
		name: 'squid',
		type: 'resourceLocator',
		required,
		default: { mode: 'list', value: '' },
		description,
		displayOptions: { show },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a squid…',
				typeOptions: { searchListMethod: 'searchSquids', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 9b1c3e2f8a7d4c6b9e0f1a2b3c4d5e6f',
			},
		],
	};
}

/** Reads the squid locator (or a plain string mapped into it), naming the parameter and item when empty. */
export function readSquid(ctx: IExecuteFunctions, itemIndex: number): string {
	const raw = ctx.getNodeParameter('squid', itemIndex, '', { extractValue: true }) as unknown;
	const value = raw && typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw ? (raw as { value: unknown }).value : raw;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	const id = typeof value === 'string' ? value.trim() : '';
	if (!id) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "Squid" is empty in item ${itemIndex}`, {
			itemIndex,
			description: 'Pick a squid from the list, or choose "By ID" and enter or map its ID, for example {{ $json.squid }}.',
		});
	}
	return id;
}

/** Every squid of the account (bounded), for the trigger's multi-select. */
export async function allSquids(ctx: ILoadOptionsFunctions, maxPages = 20): Promise<Squid[]> {
	const squids: Squid[] = [];
	for (let page = 1; page <= maxPages; page++) {
		const result = await squidsPage(ctx, page);
		squids.push(...result.squids);
		if (!result.hasMore) break;
	}
	return squids;
}

export async function searchSquids(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = Math.max(1, Number(paginationToken) || 1);
	const { squids, hasMore } = await squidsPage(this, page);
	const needle = (filter ?? '').trim().toLowerCase();
	const matching = needle ? squids.filter((s) => s.name.toLowerCase().includes(needle) || s.id.toLowerCase() === needle) : squids;
	return {
		results: matching.map((s) => ({ name: s.name, value: s.id, url: `https://app.lobstr.io/dashboard/squids/${s.id}` })),
		paginationToken: hasMore ? String(page + 1) : undefined,
	};
}

export async function getSquids(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const squids = await allSquids(this);
	return squids
		.map((s) => ({ name: s.name, value: s.id, description: `ID ${s.id}` }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
