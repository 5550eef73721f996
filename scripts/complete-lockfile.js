#!/usr/bin/env node
/**
 * Completes package-lock.json with the optional, platform-specific packages
 * that the npm registry reachable from this project's machines does not serve
 * (only the linux builds of some native bindings are mirrored there). Without
 * their entries, `npm ci` refuses the lock as "out of sync"; with them, npm on
 * Linux skips them as other-platform optional packages, exactly as it would
 * with a lock made against the public registry.
 *
 *   node scripts/complete-lockfile.js      # after any `npm install` that rewrote the lock
 */
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

// "<os>-<cpu>[-<abi>]" in the binding's name → npm's os / cpu / libc fields.
function platformOf(suffix) {
	const [os, cpu, abi] = suffix.split('-');
	const entry = { os: [os === 'android' ? 'android' : os], cpu: [cpu === 'arm' ? 'arm' : cpu] };
	if (os === 'linux' && abi) entry.libc = [abi.includes('musl') ? 'musl' : 'glibc'];
	return entry;
}

let added = 0;
for (const [location, meta] of Object.entries(packages)) {
	for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
		const target = `node_modules/${name}`;
		if (packages[target] || packages[`${location}/${target}`]) continue;
		const match = /^@[^/]+\/[a-z-]*binding-(.+)$/.exec(name);
		if (!match) continue;
		const { os, cpu, libc } = platformOf(match[1]);
		packages[target] = { version, cpu, dev: meta.dev, ...(libc ? { libc } : {}), license: meta.license, optional: true, os };
		added++;
	}
}
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} other-platform optional entries`);
