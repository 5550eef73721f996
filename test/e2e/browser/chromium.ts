/**
 * A headless Chromium for the browser tests: Debian's `chromium` package driven
 * by playwright-core (no browser download). Installed with apt-get when missing,
 * so a fresh CI machine needs nothing by hand.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { BrowserContext } from 'playwright-core';

import { log } from '../../../scripts/lib/log';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];

/** The Chromium binary, installed with apt-get (as root) when there is none. */
export function ensureChromium(): string {
	const found = CANDIDATES.find((p) => fs.existsSync(p));
	if (found) return found;
	log('browser', 'no Chromium found: installing Debian\'s "chromium" package (apt-get, about 1 minute)...');
	const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
	const run = (args: string[]) => {
		const res = spawnSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), {
			stdio: ['ignore', 'ignore', 'inherit'],
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		});
		if (res.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${res.status}); install Chromium by hand or set CHROMIUM_PATH`);
	};
	run(['apt-get', 'update', '-qq']);
	run(['apt-get', 'install', '-y', '-qq', 'chromium']);
	const installed = CANDIDATES.find((p) => fs.existsSync(p));
	if (!installed) throw new Error('apt-get installed "chromium" but no binary is at /usr/bin/chromium');
	return installed;
}

/** Launches headless Chromium with a fresh, throwaway profile. */
export async function launchChromium(executablePath: string): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { chromium } = require('playwright-core') as typeof import('playwright-core');
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		viewport: { width: 1440, height: 900 },
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
	return {
		context,
		close: async () => {
			await context.close().catch(() => undefined);
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}
