import type { IDataObject } from 'n8n-workflow';

/**
 * Turns a downloaded export file into rows: JSON Lines, a JSON array (or an
 * object wrapping one), or CSV with a header row. Provider-agnostic: callers
 * pass the format they expect, and the content decides when that is "json"
 * (JSON Lines and JSON arrays are told apart by looking at the text).
 */
export type FileFormat = 'csv' | 'json' | 'jsonl' | 'auto';

export interface ParseOptions {
	format?: FileFormat;
	/** Stop after this many rows (undefined: all). */
	limit?: number;
}

/** Thrown for a file that is not what it claims; the message says where. */
export class FileRowsError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FileRowsError';
	}
}

export function parseFileRows(data: Buffer | string, options: ParseOptions = {}): IDataObject[] {
	let text = typeof data === 'string' ? data : data.toString('utf8');
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	const limit = options.limit === undefined ? Infinity : Math.max(0, options.limit);
	const format = options.format && options.format !== 'auto' ? options.format : sniffFormat(text);
	if (format === 'csv') return parseCsvRows(text, limit);
	if (format === 'jsonl') return parseJsonLines(text, limit);
	return parseJsonText(text, limit);
}

/** Guesses the format from the first non-blank character. */
export function sniffFormat(text: string): Exclude<FileFormat, 'auto'> {
	const first = /\S/.exec(text)?.[0];
	return first === '[' || first === '{' ? 'json' : first === undefined ? 'json' : 'csv';
}

/** A JSON file: an array, JSON Lines, a single object, or an object wrapping the rows. */
function parseJsonText(text: string, limit: number): IDataObject[] {
	const start = text.search(/\S/);
	if (start === -1) return [];
	if (text[start] === '[') {
		const parsed = parseJson(text);
		if (parsed instanceof Error) throw new FileRowsError(`The file starts like a JSON array but is not valid JSON: ${parsed.message}`);
		return toRows(parsed as unknown[], limit);
	}
	// One object per line is far more common in exports than one big object: try it
	// first, and fall back to the whole text (a pretty-printed object) if a line
	// is not a complete JSON value.
	const firstLineEnd = text.indexOf('\n', start);
	const firstLine = text.slice(start, firstLineEnd === -1 ? undefined : firstLineEnd).trim();
	if (!(parseJson(firstLine) instanceof Error)) return parseJsonLines(text, limit);
	const parsed = parseJson(text);
	if (parsed instanceof Error) throw new FileRowsError(`The file is neither JSON Lines nor valid JSON: ${parsed.message}`);
	if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
		const lists = Object.values(parsed as IDataObject).filter(Array.isArray) as unknown[][];
		if (lists.length === 1) return toRows(lists[0], limit);
		return limit > 0 ? [parsed as IDataObject] : [];
	}
	return toRows(Array.isArray(parsed) ? parsed : [parsed], limit);
}

/** JSON.parse that returns the SyntaxError instead of throwing it. */
export function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch (error) {
		return error instanceof Error ? error : new Error(String(error));
	}
}

/** JSON Lines: one value per line, blank lines skipped, CRLF accepted. */
export function parseJsonLines(text: string, limit = Infinity): IDataObject[] {
	const rows: IDataObject[] = [];
	let lineNumber = 0;
	let position = 0;
	while (position <= text.length && rows.length < limit) {
		let end = text.indexOf('\n', position);
		if (end === -1) end = text.length;
		lineNumber++;
		const line = text.slice(position, end).trim();
		position = end + 1;
		if (!line) continue;
		const value = parseJson(line);
		if (value instanceof Error) throw new FileRowsError(`Line ${lineNumber} of the JSON Lines file is not valid JSON: ${value.message}`);
		rows.push(toRow(value));
	}
	return rows;
}

function toRows(values: unknown[], limit: number): IDataObject[] {
	const out: IDataObject[] = [];
	for (const value of values) {
		if (out.length >= limit) break;
		out.push(toRow(value));
	}
	return out;
}

/** Rows are objects; a bare value (string, number, list) becomes { value }. */
function toRow(value: unknown): IDataObject {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : { value: value as IDataObject[string] };
}

/**
 * CSV (RFC 4180): header row, fields separated by commas, quoted fields may hold
 * commas, new lines and doubled quotes (""), lines end in LF or CRLF. Rows that
 * are entirely empty are skipped; short rows get empty strings, extra cells go
 * under "column_N".
 */
export function parseCsvRows(text: string, limit = Infinity): IDataObject[] {
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	const rows: IDataObject[] = [];
	let toRow: CsvRowBuilder | undefined;
	const onRecord = (cells: string[]): boolean => {
		if (cells.length === 1 && cells[0] === '') return true;
		if (!toRow) {
			toRow = csvRowBuilder(cells);
			return true;
		}
		rows.push(toRow(cells));
		return rows.length < limit;
	};
	readCsvRecords(text, onRecord);
	return rows;
}

/** Turns one CSV record into a row object. */
export type CsvRowBuilder = (cells: string[]) => IDataObject;

/**
 * From the header record, the function that turns each following record into
 * a row (shared by the whole-file and the streaming reader).
 *
 * Rows are plain objects (prototype Object.prototype), but made by a
 * constructor of this file's own, so they grow their hidden classes from a
 * root of their own and all rows share them. Adding the columns one by one to
 * a fresh `{}` does not share them in a process as big as n8n: the empty
 * object's hidden class has run out of room for more transitions (V8 keeps
 * about 1,500), and each row then gets hidden classes of its own — measured in
 * n8n 2.41.1 on 100,000 rows of 8 columns: 100,000 extra Maps and
 * DescriptorArrays kept (27 MB), several times that in garbage while parsing,
 * and a 5× slower parse. (Copying a template with `{ ...template }` shares them
 * in Node 24 but not on a cold start in Node 20.)
 */
export function csvRowBuilder(headerCells: string[]): CsvRowBuilder {
	const header = uniqueNames(headerCells.map((c) => c.trim()));
	const PlainRow = function () {} as unknown as { new (): IDataObject; prototype: object };
	PlainRow.prototype = Object.prototype;
	return (cells) => {
		const row = new PlainRow();
		for (let c = 0; c < Math.max(header.length, cells.length); c++) {
			row[c < header.length ? header[c] : `column_${c + 1}`] = cells[c] ?? '';
		}
		return row;
	};
}

/**
 * Calls `onRecord` with each record's cells; stops when it returns false.
 * Returns how many characters were consumed. With `final: false` (a chunk of a
 * file still downloading) a record that may go on in the next chunk — an open
 * quote, or no line end yet — is not read: the caller keeps the text from the
 * returned position and feeds it again with more.
 */
export function readCsvRecords(text: string, onRecord: (cells: string[]) => boolean, options: { final?: boolean } = {}): number {
	const final = options.final !== false;
	const length = text.length;
	let cells: string[] = [];
	let i = 0;
	let line = 1;
	let recordStart = 0;
	while (i < length) {
		let cell: string;
		if (text.charCodeAt(i) === 34 /* " */) {
			const startLine = line;
			let value = '';
			let from = i + 1;
			for (;;) {
				const quote = text.indexOf('"', from);
				if (quote === -1 || (!final && quote === length - 1)) {
					// An open quote (or a closing one whose doubling may be in the next chunk).
					if (!final) return recordStart;
					throw new FileRowsError(`CSV: a quoted field opened on line ${startLine} is never closed`);
				}
				value += text.slice(from, quote);
				if (text.charCodeAt(quote + 1) === 34) {
					value += '"';
					from = quote + 2;
					continue;
				}
				i = quote + 1;
				break;
			}
			for (let n = value.indexOf('\n'); n !== -1; n = value.indexOf('\n', n + 1)) line++;
			cell = value;
			// Anything between the closing quote and the separator is kept, as most readers do.
			const rest = nextSeparator(text, i);
			if (rest > i) cell += text.slice(i, rest);
			i = rest;
		} else {
			const end = nextSeparator(text, i);
			cell = text.slice(i, end);
			i = end;
		}
		// A record that reaches the end of an unfinished chunk may go on in the next one.
		if (!final && (i >= length || (text.charCodeAt(i) === 13 && i + 1 >= length))) return recordStart;
		cells.push(cell);
		const ch = text.charCodeAt(i);
		if (ch === 44 /* , */) {
			i++;
			if (i === length) {
				if (!final) return recordStart;
				cells.push('');
			}
			continue;
		}
		// End of record: \n, \r\n, lone \r, or end of text.
		if (ch === 13 /* \r */) i++;
		if (text.charCodeAt(i) === 10 /* \n */) i++;
		line++;
		recordStart = i;
		if (!onRecord(cells)) return recordStart;
		cells = [];
	}
	if (cells.length) onRecord(cells);
	return length;
}

function nextSeparator(text: string, from: number): number {
	for (let i = from; i < text.length; i++) {
		const ch = text.charCodeAt(i);
		if (ch === 44 || ch === 10 || ch === 13) return i;
	}
	return text.length;
}

function uniqueNames(names: string[]): string[] {
	const seen = new Map<string, number>();
	return names.map((name, index) => {
		const base = name || `column_${index + 1}`;
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		return count ? `${base}_${count + 1}` : base;
	});
}
