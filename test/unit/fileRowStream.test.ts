/**
 * Issue 13, goal 4: export files are parsed while they download. The streaming
 * reader gives exactly the rows the whole-file reader gives, wherever the
 * chunks are cut (inside a quoted CSV field, a CRLF, a multi-byte character, a
 * JSON string holding brackets), and over real HTTP a Limit stops the download
 * early while Output as File streams the whole file.
 */
import { parseFileRows } from '../../nodes/shared/fileRows';
import type { FileFormat } from '../../nodes/shared/fileRows';
import { streamFileRows } from '../../nodes/shared/fileRowStream';
import { retryPolicy } from '../../nodes/shared/transport';
import { generateRecords, toCsv } from '../emulators/hirebase';
import { runNode } from '../helpers/n8nContext';
import { startHirebase } from '../helpers/hirebase';

jest.setTimeout(60_000);

/** A stream of `bytes` cut every `size` bytes. */
function chunked(bytes: Buffer, size: number) {
	let destroyed = false;
	return {
		destroyed: () => destroyed,
		stream: {
			destroy: () => {
				destroyed = true;
			},
			async *[Symbol.asyncIterator]() {
				for (let i = 0; i < bytes.length && !destroyed; i += size) yield bytes.subarray(i, i + size);
			},
		},
	};
}

const records = generateRecords(40);
const files: Array<[string, string, FileFormat]> = [
	['CSV with BOM, CRLF, quoted commas, new lines and ""', toCsv(records), 'csv'],
	['JSON Lines', records.map((r) => JSON.stringify(r)).join('\n') + '\n', 'json'],
	['JSON Lines without a final new line, CRLF', records.map((r) => JSON.stringify(r)).join('\r\n'), 'json'],
	['JSON array with strings holding [ ] { } , and \\"', JSON.stringify([...records, { s: 'a [b] {c}, "d" \\ e' }, 7, 'x']), 'json'],
	['pretty-printed JSON array', JSON.stringify(records, null, 2), 'json'],
	['one object wrapping the rows', JSON.stringify({ data: records }, null, 1), 'json'],
];

describe('streaming file rows = whole-file rows, at any chunk size', () => {
	for (const [name, text, format] of files) {
		it(name, async () => {
			const bytes = Buffer.from(text, 'utf8');
			const expected = parseFileRows(bytes, { format });
			expect(expected.length).toBeGreaterThanOrEqual(40);
			for (const size of [1, 2, 3, 5, 7, 64, 1000, bytes.length]) {
				const { stream } = chunked(bytes, size);
				const result = await streamFileRows(stream, { format });
				expect(result.rows).toEqual(expected);
				expect(result.bytesRead).toBe(bytes.length);
			}
		});
	}

	it('a limit stops reading the stream as soon as the rows are there', async () => {
		const bytes = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n'), 'utf8');
		const source = chunked(bytes, 256);
		const result = await streamFileRows(source.stream, { format: 'json', limit: 3 });
		expect(result.rows).toEqual(records.slice(0, 3));
		expect(result.stoppedEarly).toBe(true);
		expect(source.destroyed()).toBe(true);
		expect(result.bytesRead).toBeLessThan(bytes.length / 4);
	});

	it('errors name the line (JSON Lines) or say the array never closes', async () => {
		await expect(streamFileRows(chunked(Buffer.from('{"a":1}\n{"a":\n{"a":3}\n'), 4).stream, { format: 'json' })).rejects.toThrow(/^Line 2 of the JSON Lines file/);
		await expect(streamFileRows(chunked(Buffer.from('[{"a":1},{"a":2}'), 4).stream, { format: 'json' })).rejects.toThrow(/ends before its closing "\]"/);
		await expect(streamFileRows(chunked(Buffer.from('a,b\n"1,2\n'), 3).stream, { format: 'csv' })).rejects.toThrow(/never closed/);
	});
});

describe('Hirebase Get Results streams the export (real HTTP)', () => {
	let hb: Awaited<ReturnType<typeof startHirebase>>;
	beforeAll(async () => {
		retryPolicy.baseDelayMs = 20;
		hb = await startHirebase();
	});
	afterAll(() => hb.emulator.stop());

	const sentOf = (id: string) => hb.emulator.storage.requests.filter((r) => r.path.includes(id)).map((r) => r.bytesSent ?? 0);

	it('a Limit of 100 on a 100,000-record export downloads a small fraction of the file', async () => {
		for (const [format, shape] of [['json', 'jsonl'], ['json', 'array'], ['csv', 'jsonl']] as const) {
			const id = hb.emulator.createTask({ queuedMs: 0, processingMs: 0, recordCount: 100_000, jsonShape: shape }, format);
			const size = hb.emulator.fileOf(id).length;
			const rows = await runNode(hb.options({ operation: 'getResults', taskId: id, returnAll: false, limit: 100 }));
			const [sent] = sentOf(id);
			console.log(`${format}/${shape}: Limit 100 read ${sent} of ${size} bytes (${((100 * sent) / size).toFixed(2)} %)`);
			expect(rows).toHaveLength(100);
			expect(rows[99].json.job_id).toBe('job-99');
			// What is in flight when the reader stops (socket buffers) is all that is sent beyond the rows:
			// a few MB whatever the file's size, so a small fraction of a big export.
			expect(sent).toBeLessThan(Math.min(size / 2, 8 * 1024 * 1024));
		}
	});

	it('rows of each input item link to it through one pairedItem, items hold nothing else (memory of 100,000 rows)', async () => {
		const ids = [0, 1].map(() => hb.emulator.createTask({ queuedMs: 0, processingMs: 0, recordCount: 1000 }, 'csv'));
		const items = await runNode(hb.options({ operation: 'getResults', taskId: (i: number) => ids[i] }, { items: [{}, {}] }));
		expect(items).toHaveLength(2000);
		expect(items[999].json.job_id).toBe('job-999');
		expect(items[1000].json.job_id).toBe('job-0');
		const links = new Set(items.map((item) => item.pairedItem));
		expect([...links]).toEqual([{ item: 0 }, { item: 1 }]);
		expect(items.every((item) => Object.keys(item).join() === 'json,pairedItem')).toBe(true);
	});

	it('Output as File streams the whole file, byte for byte', async () => {
		const id = hb.emulator.createTask({ queuedMs: 0, processingMs: 0, recordCount: 5000 }, 'csv');
		const [item] = await runNode(hb.options({ operation: 'getResults', taskId: id, resultOptions: { outputAsFile: true } }));
		const file = hb.emulator.fileOf(id);
		expect(Buffer.from(String(item.binary!.data.data), 'base64').equals(file)).toBe(true);
		expect(item.json).toMatchObject({ taskId: id, format: 'csv', fileSize: file.length });
	});
});
