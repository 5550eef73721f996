/**
 * Issue 13, goal 4 (memory of 100,000 CSV rows). In a process as big as n8n the
 * empty object's hidden class has used up its transitions (V8 keeps about
 * 1,500), so rows built by adding columns one by one to `{}` each get hidden
 * classes of their own: in n8n 2.41.1, 100,000 rows of 8 columns kept 100,000
 * extra Maps + DescriptorArrays (27 MB) and made several times that in garbage.
 * The CSV readers build every row from one template instead; these tests put
 * this process in n8n's state and check that all rows share one hidden class.
 */
import v8 from 'node:v8';

import { parseFileRows } from '../../nodes/shared/fileRows';
import { streamFileRows } from '../../nodes/shared/fileRowStream';

// V8's own check, compiled with natives syntax on (only this function uses it).
v8.setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/** What n8n's code base does to `{}`: thousands of different first properties. */
const saturated: object[] = [];
for (let i = 0; i < 4000; i++) {
	const o: Record<string, number> = {};
	o[`first_property_${i}`] = i;
	saturated.push(o);
}

const header = ['job_id', 'job_title', 'company_name', 'description', 'location', 'salary_min', 'remote', 'date_posted'];
const lines = Array.from({ length: 500 }, (_, i) => [`job-${i}`, `Engineer ${i}`, `"Company ${i}, Inc."`, `"Line one\r\nline ""two"""`, 'Berlin', String(i * 1000), i % 2 ? 'true' : 'false', '2025-06-01'].join(','));
const csv = `\ufeff${header.join(',')}\r\n${lines.join('\r\n')}\r\n`;

function expectOneHiddenClass(rows: object[]): void {
	expect(rows).toHaveLength(500);
	const unshared = rows.filter((row) => !haveSameMap(row, rows[0])).length;
	expect(unshared).toBe(0);
}

describe('CSV rows share one hidden class, even where {} has run out of transitions (as in n8n)', () => {
	it('this process is in that state: columns added one by one to {} give each row its own hidden class', () => {
		const made = Array.from({ length: 50 }, (_, i) => {
			const row: Record<string, string> = {};
			for (const name of header) row[name] = `${name}-${i}`;
			return row;
		});
		expect(made.filter((row) => !haveSameMap(row, made[0])).length).toBeGreaterThan(0);
	});

	it('the whole-file reader', () => {
		const rows = parseFileRows(csv, { format: 'csv' });
		expectOneHiddenClass(rows);
		expect(Object.keys(rows[7])).toEqual(header);
		expect(rows[7]).toMatchObject({ job_id: 'job-7', company_name: 'Company 7, Inc.', description: 'Line one\r\nline "two"', remote: 'true' });
	});

	it('the streaming reader, chunk by chunk', async () => {
		const bytes = Buffer.from(csv, 'utf8');
		const stream = {
			async *[Symbol.asyncIterator]() {
				for (let i = 0; i < bytes.length; i += 4096) yield bytes.subarray(i, i + 4096);
			},
		};
		const { rows } = await streamFileRows(stream, { format: 'csv' });
		expectOneHiddenClass(rows);
		expect(rows).toEqual(parseFileRows(csv, { format: 'csv' }));
	});

	it('short and long records still get empty cells and column_N, in column order', () => {
		const rows = parseFileRows('a,b,c\n1\n1,2,3,4\n', { format: 'csv' });
		expect(rows).toEqual([
			{ a: '1', b: '', c: '' },
			{ a: '1', b: '2', c: '3', column_4: '4' },
		]);
		expect(Object.keys(rows[1])).toEqual(['a', 'b', 'c', 'column_4']);
	});
});
