import type { IDataObject } from 'n8n-workflow';

import { csvRowBuilder, FileRowsError, parseFileRows, parseJson, readCsvRecords } from './fileRows';
import type { CsvRowBuilder, FileFormat } from './fileRows';

/**
 * Parses an export file into rows WHILE it downloads, so neither the whole file
 * nor its whole text is ever held, only the rows (which n8n needs as items
 * anyway) and one chunk. JSON Lines go line by line, CSV record by record (a
 * quoted field may span chunks and lines), a JSON array element by element.
 * With a limit, the download is stopped as soon as the rows are there: a Limit
 * of 100 on a million-record export reads a few kilobytes.
 *
 * A JSON file that is neither JSON Lines nor an array (one pretty-printed
 * object, an object wrapping the rows) cannot be cut into rows before its end:
 * it is gathered and read whole, as before.
 */
export interface ByteStream extends AsyncIterable<Buffer | string> {
	destroy?: (error?: Error) => void;
}

export interface StreamParseOptions {
	format?: FileFormat;
	/** Stop (and stop downloading) after this many rows. */
	limit?: number;
}

export interface StreamParseResult {
	rows: IDataObject[];
	/** Bytes read from the stream before it ended or was stopped. */
	bytesRead: number;
	/** Whether the stream was stopped before its end because the limit was reached. */
	stoppedEarly: boolean;
}

type Sink = {
	/** Feeds text; returns false once the limit is reached. */
	push(text: string, final: boolean): boolean;
};

export async function streamFileRows(stream: ByteStream, options: StreamParseOptions = {}): Promise<StreamParseResult> {
	const limit = options.limit === undefined ? Infinity : Math.max(0, options.limit);
	const rows: IDataObject[] = [];
	const decoder = new Utf8Chunks();
	let sink: Sink | undefined;
	let whole: string[] | undefined;
	let bytesRead = 0;
	let stoppedEarly = false;
	// Text held until the reader can be chosen (a "{" file needs its first line).
	let head: string | undefined = '';

	const add = (row: IDataObject): boolean => {
		rows.push(row);
		return rows.length < limit;
	};

	if (limit === 0) {
		stream.destroy?.();
		return { rows, bytesRead, stoppedEarly: true };
	}

	for await (const chunk of stream) {
		const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
		bytesRead += bytes.length;
		let text = decoder.decode(bytes);
		if (head !== undefined) {
			head += text;
			const kind = kindOf(options.format, head, false);
			if (!kind) continue;
			text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
			head = undefined;
			if (kind === 'whole') whole = [];
			else sink = kind === 'csv' ? csvSink(add) : kind === 'jsonl' ? jsonLinesSink(add) : jsonArraySink(add);
		}
		if (whole) {
			whole.push(text);
			continue;
		}
		if (!sink!.push(text, false)) {
			stoppedEarly = true;
			stream.destroy?.();
			break;
		}
	}
	if (!stoppedEarly) {
		const rest = decoder.end();
		if (head !== undefined) {
			// The whole file arrived before a reader could be chosen (a small file).
			const all = head + rest;
			return { rows: parseFileRows(all, { format: options.format, limit: options.limit }), bytesRead, stoppedEarly };
		}
		if (whole) {
			whole.push(rest);
			return { rows: parseFileRows(whole.join(''), { format: 'json', limit: options.limit }), bytesRead, stoppedEarly };
		}
		sink!.push(rest, true);
	}
	return { rows, bytesRead, stoppedEarly };
}

/** Which reader fits, from the format asked for and the first text; undefined: need more text. */
function kindOf(format: FileFormat | undefined, text: string, final: boolean): 'csv' | 'jsonl' | 'array' | 'whole' | undefined {
	if (format === 'csv') return 'csv';
	if (format === 'jsonl') return 'jsonl';
	const start = text.search(/[^\s\ufeff]/);
	if (start === -1) return final ? 'whole' : undefined;
	const ch = text[start];
	if (ch === '[') return 'array';
	if (ch === '{') {
		// JSON Lines when the first line is a whole value; else one (pretty-printed) object.
		const end = text.indexOf('\n', start);
		if (end === -1) return final ? 'jsonl' : undefined;
		return parseJson(text.slice(start, end)) instanceof Error ? 'whole' : 'jsonl';
	}
	return format === 'json' ? 'whole' : 'csv';
}

/** Decodes UTF-8 chunk by chunk without cutting a character in two. */
class Utf8Chunks {
	private carry: Buffer = Buffer.alloc(0);

	decode(chunk: Buffer): string {
		const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
		const cut = completeLength(bytes);
		this.carry = bytes.subarray(cut);
		return bytes.toString('utf8', 0, cut);
	}

	end(): string {
		const rest = this.carry.toString('utf8');
		this.carry = Buffer.alloc(0);
		return rest;
	}
}

/** How many leading bytes form whole UTF-8 characters (a split one is left for the next chunk). */
function completeLength(bytes: Buffer): number {
	const n = bytes.length;
	for (let back = 1; back <= Math.min(3, n); back++) {
		const b = bytes[n - back];
		if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
		const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		return need > back ? n - back : n;
	}
	return n;
}

function jsonLinesSink(add: (row: IDataObject) => boolean): Sink {
	let carry = '';
	let lineNumber = 0;
	const line = (text: string): boolean => {
		lineNumber++;
		const trimmed = text.trim();
		if (!trimmed) return true;
		const value = parseJson(trimmed);
		if (value instanceof Error) throw new FileRowsError(`Line ${lineNumber} of the JSON Lines file is not valid JSON: ${value.message}`);
		return add(toRow(value));
	};
	return {
		push(text, final) {
			const all = carry + text;
			let from = 0;
			for (let nl = all.indexOf('\n'); nl !== -1; nl = all.indexOf('\n', from)) {
				const more = line(all.slice(from, nl));
				from = nl + 1;
				if (!more) return false;
			}
			carry = all.slice(from);
			if (final && carry) {
				const more = line(carry);
				carry = '';
				return more;
			}
			return true;
		},
	};
}

function csvSink(add: (row: IDataObject) => boolean): Sink {
	let carry = '';
	let toRow: CsvRowBuilder | undefined;
	let more = true;
	return {
		push(text, final) {
			const all = carry + text;
			const consumed = readCsvRecords(
				all,
				(cells) => {
					if (cells.length === 1 && cells[0] === '') return true;
					if (!toRow) {
						toRow = csvRowBuilder(cells);
						return true;
					}
					more = add(toRow(cells));
					return more;
				},
				{ final },
			);
			carry = all.slice(consumed);
			return more;
		},
	};
}

/**
 * A top-level JSON array, element by element: a scanner that tracks strings
 * and nesting finds where each element ends, and only that slice is parsed.
 */
function jsonArraySink(add: (row: IDataObject) => boolean): Sink {
	let carry = '';
	let opened = false;
	let closed = false;
	let depth = 0;
	let inString = false;
	let escaped = false;
	let elementStart = -1;
	// Where the scan stopped in `carry` (everything before it was scanned).
	let scanned = 0;
	return {
		push(text, final) {
			if (closed) return true;
			let all = carry + text;
			let i = scanned;
			const emit = (end: number): boolean => {
				const slice = all.slice(elementStart, end);
				elementStart = -1;
				const value = parseJson(slice);
				if (value instanceof Error) throw new FileRowsError(`The file starts like a JSON array but an element is not valid JSON: ${value.message}`);
				return add(toRow(value));
			};
			for (; i < all.length; i++) {
				const c = all.charCodeAt(i);
				if (inString) {
					if (escaped) escaped = false;
					else if (c === 92 /* \ */) escaped = true;
					else if (c === 34 /* " */) inString = false;
					continue;
				}
				if (!opened) {
					if (c === 91 /* [ */) opened = true;
					continue;
				}
				if (c === 34) {
					inString = true;
					if (depth === 0 && elementStart < 0) elementStart = i;
				} else if (c === 123 /* { */ || c === 91 /* [ */) {
					if (depth === 0 && elementStart < 0) elementStart = i;
					depth++;
				} else if (c === 125 /* } */ || c === 93 /* ] */) {
					if (depth === 0) {
						// The array's own closing bracket.
						closed = true;
						if (elementStart >= 0 && !emit(i)) return false;
						return true;
					}
					depth--;
				} else if (c === 44 /* , */ && depth === 0) {
					if (elementStart >= 0 && !emit(i)) return false;
				} else if (depth === 0 && elementStart < 0 && c !== 32 && c !== 10 && c !== 13 && c !== 9) {
					elementStart = i;
				}
			}
			if (final) {
				if (opened && !closed) throw new FileRowsError('The file starts like a JSON array but ends before its closing "]"');
				return true;
			}
			// Keep only the element being read; everything before it is done.
			const keepFrom = elementStart >= 0 ? elementStart : all.length;
			carry = all.slice(keepFrom);
			scanned = all.length - keepFrom;
			if (elementStart >= 0) elementStart = 0;
			all = '';
			return true;
		},
	};
}

function toRow(value: unknown): IDataObject {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : { value: value as IDataObject[string] };
}
