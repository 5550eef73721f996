import type { IDataObject } from 'n8n-workflow';

export interface Page {
	rows: IDataObject[];
	/** Whether the API says there is a page after this one. */
	hasMore: boolean;
}

export interface CollectOptions {
	/** Stop after this many rows; undefined means every row (Return All). */
	limit?: number;
	pageSize: number;
	firstPage?: number;
}

/**
 * Walks a paged endpoint until the rows run out or the limit is reached,
 * asking only for as many rows as are still wanted. Rate limits are the
 * fetcher's business (its requests carry the provider's RateLimit).
 */
export async function collectPages(
	fetchPage: (page: number, pageSize: number) => Promise<Page>,
	options: CollectOptions,
): Promise<IDataObject[]> {
	const rows: IDataObject[] = [];
	let page = options.firstPage ?? 1;
	for (;;) {
		const wanted = options.limit === undefined ? options.pageSize : Math.min(options.pageSize, options.limit - rows.length);
		if (wanted <= 0) break;
		const result = await fetchPage(page, options.pageSize);
		for (const row of result.rows) {
			if (options.limit !== undefined && rows.length >= options.limit) break;
			rows.push(row);
		}
		if (!result.hasMore || result.rows.length === 0) break;
		page++;
	}
	return rows;
}

/** Reads Return All / Limit: undefined for all rows, else the limit. */
export function rowLimit(returnAll: boolean, limit: unknown): number | undefined {
	return returnAll ? undefined : Math.max(1, Number(limit) || 50);
}
