import type { IDataObject } from 'n8n-workflow';

export interface Page {
	rows: IDataObject[];
	/** Whether the API says there is a page after this one. */
	hasMore: boolean;
	/** How many pages there are at this page size, when the API says (lets later pages be fetched at once). */
	totalPages?: number;
	/**
	 * One identity per row (the API's row id), when rows have one: a row seen
	 * before is dropped, and a page of nothing but seen rows ends the paging.
	 */
	keys?: string[];
}

export interface CollectOptions {
	/** Stop after this many rows; undefined means every row (Return All). */
	limit?: number;
	/** The largest page the API accepts. */
	pageSize: number;
	firstPage?: number;
	/**
	 * How many pages may be fetched at once once the page count is known (1 =
	 * one after the other). Rows are output in page order whatever the order
	 * the answers come in. Rate limits stay the fetcher's business.
	 */
	concurrency?: number;
	/** A paging that goes on past this many pages is stopped with an error. */
	maxPages?: number;
	/** What is being paged, for the error message ("the results of job 42"). */
	what?: string;
}

/** A paging that would not end (the API kept saying "more"). */
export class PagingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PagingError';
	}
}

/**
 * 10,000 pages of 100 rows: a million rows is more than one n8n execution can
 * hold anyway. Mutable only so tests can lower it; nodes never change it.
 */
export const pagingPolicy = { maxPages: 10_000 };

/**
 * Walks a paged endpoint until the rows run out or the limit is reached.
 *
 * - With a Limit, only the rows still wanted are asked for: the page size is
 *   chosen so the pages cover the limit with the least over-fetch (a Limit of
 *   150 at ≤ 100 per page is two pages of 75, not 100 + 100).
 * - Once the first page tells the page count, the remaining pages are fetched
 *   with `concurrency` of them in flight at a time and put back in order.
 * - A paging that would not end is stopped: a page that adds nothing new (every
 *   row seen before, or the same content as an earlier page — an API repeating
 *   a page, or a `next` link pointing back) ends it, and going past `maxPages`
 *   is an error naming what was paged.
 */
export async function collectPages(
	fetchPage: (page: number, pageSize: number) => Promise<Page>,
	options: CollectOptions,
): Promise<IDataObject[]> {
	const limit = options.limit;
	const pagesForLimit = limit === undefined ? undefined : Math.max(1, Math.ceil(limit / options.pageSize));
	const pageSize = limit === undefined ? options.pageSize : Math.ceil(limit / pagesForLimit!);
	const firstPage = options.firstPage ?? 1;
	const maxPages = options.maxPages ?? pagingPolicy.maxPages;
	const concurrency = Math.max(1, options.concurrency ?? 1);
	const guard = new RepeatGuard();
	const rows: IDataObject[] = [];
	const wanted = () => (limit === undefined ? Infinity : limit - rows.length);

	/** Adds a page's new rows; false when the paging should stop here. */
	const take = (page: Page): boolean => {
		const fresh = guard.fresh(page);
		for (const row of fresh) {
			if (rows.length >= (limit ?? Infinity)) break;
			rows.push(row);
		}
		return fresh.length > 0 && page.rows.length > 0 && page.hasMore && wanted() > 0;
	};

	const first = await fetchPage(firstPage, pageSize);
	if (!take(first)) return rows;
	let next = firstPage + 1;

	// The page count is known: keep `concurrency` pages in flight, taking them in order.
	// A page that answers quickly does not wait for a slow one before the next is asked for.
	const announced = first.totalPages !== undefined && Number.isFinite(first.totalPages) ? firstPage + first.totalPages - 1 : undefined;
	if (announced !== undefined && concurrency > 1) {
		const last = pagesForLimit === undefined ? announced : Math.min(announced, firstPage + pagesForLimit - 1);
		if (last - firstPage + 1 > maxPages) throw tooManyPages(options, maxPages, pageSize);
		const inFlight: Array<Promise<Page>> = [];
		let asked = next;
		const ask = () => {
			const page = fetchPage(asked++, pageSize);
			// Pages still in flight when the paging stops (limit reached, an earlier page failed) are dropped unread.
			page.catch(() => undefined);
			inFlight.push(page);
		};
		while (asked <= last && inFlight.length < concurrency) ask();
		while (inFlight.length) {
			const page = await inFlight.shift()!;
			next++;
			if (!take(page)) return rows;
			if (asked <= last) ask();
		}
		// The last announced page still says "more" (a job adding rows): go on one by one.
	}

	for (;;) {
		if (next - firstPage >= maxPages) throw tooManyPages(options, maxPages, pageSize);
		const page = await fetchPage(next, pageSize);
		next++;
		if (!take(page)) return rows;
	}
}

function tooManyPages(options: CollectOptions, maxPages: number, pageSize: number): PagingError {
	return new PagingError(
		`Stopped reading ${options.what ?? 'the results'} after ${maxPages.toLocaleString('en-US')} pages (${(maxPages * pageSize).toLocaleString('en-US')} rows): the API kept announcing more pages. Turn off "Return All" and set a Limit, or download the results as a file.`,
	);
}

/**
 * Tells rows already seen (by key) and pages already seen (by content) from new
 * ones. A page whose content is an earlier page's again adds nothing: the API
 * is going round in circles.
 */
class RepeatGuard {
	private readonly keys = new Set<string>();
	private readonly pages = new Set<string>();
	repeated = false;

	fresh(page: Page): IDataObject[] {
		if (page.rows.length === 0) return [];
		if (page.keys && page.keys.length === page.rows.length) {
			const out = page.rows.filter((_, n) => {
				const key = page.keys![n];
				if (!key) return true;
				if (this.keys.has(key)) return false;
				this.keys.add(key);
				return true;
			});
			if (out.length === 0) this.repeated = true;
			return out;
		}
		const fingerprint = fingerprintOf(JSON.stringify(page.rows));
		if (this.pages.has(fingerprint)) {
			this.repeated = true;
			return [];
		}
		this.pages.add(fingerprint);
		return page.rows;
	}
}

/** Two 32-bit FNV-1a hashes and the length: a page's identity without keeping its text. */
function fingerprintOf(text: string): string {
	let a = 0x811c9dc5;
	let b = 0x01000193;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		a = Math.imul(a ^ c, 0x01000193);
		b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
	}
	return `${text.length}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
}

/** Reads Return All / Limit: undefined for all rows, else the limit. */
export function rowLimit(returnAll: boolean, limit: unknown): number | undefined {
	return returnAll ? undefined : Math.max(1, Number(limit) || 50);
}
