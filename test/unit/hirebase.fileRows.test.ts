import { parseCsvRows, parseFileRows, parseJsonLines, sniffFormat } from '../../nodes/shared/fileRows';

describe('fileRows: CSV', () => {
	it('reads quoted fields with commas, new lines, escaped quotes, CRLF and a BOM', () => {
		const csv = '\ufeffid,title,description\r\n1,"Engineer, ""Senior""","line one\r\nline two, still one cell"\r\n2,Plain,\r\n';
		expect(parseFileRows(Buffer.from(csv), { format: 'csv' })).toEqual([
			{ id: '1', title: 'Engineer, "Senior"', description: 'line one\r\nline two, still one cell' },
			{ id: '2', title: 'Plain', description: '' },
		]);
	});

	it('handles LF only, no final newline, blank lines, short and long rows, duplicate and empty headers', () => {
		const csv = 'a,a,\n1,2,3,4\n\n5\n"x"';
		expect(parseCsvRows(csv)).toEqual([
			{ a: '1', a_2: '2', column_3: '3', column_4: '4' },
			{ a: '5', a_2: '', column_3: '' },
			{ a: 'x', a_2: '', column_3: '' },
		]);
	});

	it('keeps a trailing empty cell and an empty quoted cell', () => {
		expect(parseCsvRows('a,b\n"",\n')).toEqual([{ a: '', b: '' }]);
	});

	it('stops at the limit', () => {
		expect(parseCsvRows('n\n1\n2\n3\n', 2)).toEqual([{ n: '1' }, { n: '2' }]);
	});

	it('says where an unclosed quote starts', () => {
		expect(() => parseCsvRows('a,b\n1,2\n3,"never closed\n')).toThrow('CSV: a quoted field opened on line 3 is never closed');
	});
});

describe('fileRows: JSON', () => {
	it('reads JSON Lines with CRLF, blank lines and a BOM', () => {
		const text = '\ufeff{"a":1}\r\n\r\n{"a":2,"s":"x\\ny"}\n';
		expect(parseFileRows(Buffer.from(text), { format: 'json' })).toEqual([{ a: 1 }, { a: 2, s: 'x\ny' }]);
	});

	it('reads a JSON array, also pretty-printed, and honours the limit', () => {
		expect(parseFileRows('[\n  {"a": 1},\n  {"a": 2},\n  {"a": 3}\n]', { format: 'json', limit: 2 })).toEqual([{ a: 1 }, { a: 2 }]);
	});

	it('reads a pretty-printed object that wraps the rows', () => {
		expect(parseFileRows('{\n "data": [{"a": 1}, {"a": 2}]\n}', { format: 'json' })).toEqual([{ a: 1 }, { a: 2 }]);
	});

	it('wraps bare values as { value }', () => {
		expect(parseJsonLines('1\n"x"\n[1,2]\n')).toEqual([{ value: 1 }, { value: 'x' }, { value: [1, 2] }]);
	});

	it('names the bad line of a JSON Lines file', () => {
		expect(() => parseFileRows('{"a":1}\n{"a":2}\n{"a":\n', { format: 'json' })).toThrow(/^Line 3 of the JSON Lines file is not valid JSON/);
	});

	it('an empty file has no rows', () => {
		expect(parseFileRows('', { format: 'json' })).toEqual([]);
		expect(parseFileRows('\ufeff', { format: 'csv' })).toEqual([]);
	});

	it('auto-detects the format from the content', () => {
		expect(sniffFormat('  [{"a":1}]')).toBe('json');
		expect(sniffFormat('{"a":1}\n')).toBe('json');
		expect(sniffFormat('a,b\n1,2')).toBe('csv');
		expect(parseFileRows('\ufeffa,b\r\n1,2\r\n')).toEqual([{ a: '1', b: '2' }]);
	});
});
