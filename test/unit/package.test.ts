/**
 * What `npm pack` ships: dist/ (the compiled nodes, credentials, icons and codex
 * files), README.md, LICENSE and package.json — nothing else (no sources, tests,
 * emulators, scripts or examples), and everything package.json's `n8n` section
 * points at. n8n's verification also requires an MIT licence and no runtime
 * dependencies.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

function packedFiles(): string[] {
	if (!pkg.n8n.nodes.every((file: string) => fs.existsSync(path.join(REPO, file)))) {
		execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'ignore' });
	}
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
	return (JSON.parse(out)[0].files as Array<{ path: string }>).map((f) => f.path).sort();
}

describe('the npm package', () => {
	const files = packedFiles();

	it('holds only dist/, README.md, LICENSE and package.json', () => {
		const outside = files.filter((f) => !f.startsWith('dist/'));
		expect(outside).toEqual(['LICENSE', 'README.md', 'package.json']);
		const top = [...new Set(files.filter((f) => f.startsWith('dist/')).map((f) => f.split('/').slice(0, 2).join('/')))];
		expect(top.sort()).toEqual(['dist/credentials', 'dist/icons', 'dist/nodes']);
		expect(files.filter((f) => /\.test\.|\/test\/|\/emulators\/|\/scripts\/|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
	});

	it('holds every node and credential file package.json declares, with their icons', () => {
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(file);
		const icons = files.filter((f) => f.startsWith('dist/icons/'));
		expect(icons.length).toBeGreaterThanOrEqual(8);
		expect(icons.every((f) => f.endsWith('.svg'))).toBe(true);
	});

	it('is MIT licensed and has no runtime dependencies', () => {
		expect(pkg.license).toBe('MIT');
		expect(fs.readFileSync(path.join(REPO, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
		expect(pkg.dependencies ?? {}).toEqual({});
	});
});
