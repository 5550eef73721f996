/** Small console helpers shared by the demo, dev and e2e scripts. */
export const t0 = Date.now();

export function secs(ms: number): string {
	return `${(ms / 1000).toFixed(1)}s`;
}

export function log(scope: string, message: string): void {
	process.stdout.write(`[${scope} +${secs(Date.now() - t0)}] ${message}\n`);
}

export function table(headers: string[], rows: string[][]): string {
	const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) => '| ' + cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ') + ' |';
	return [line(headers), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
