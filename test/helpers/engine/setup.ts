/**
 * What n8n-core needs from its host process before it runs anything: a user
 * folder with its settings file (kept out of the developer's home — n8n writes
 * an encryption key there), written here once with a fixed test key so that
 * parallel jest workers only ever read it, and quiet logs. Binary data stays in
 * n8n's in-memory mode (BinaryDataService not initialised: files are kept as
 * base64 on the item), as n8n does when no storage is set up.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

if (!process.env.N8N_USER_FOLDER) {
	const folder = path.join(tmpdir(), 'n8n-nodes-async-jobs-engine-tests');
	mkdirSync(path.join(folder, '.n8n'), { recursive: true });
	try {
		writeFileSync(path.join(folder, '.n8n', 'config'), JSON.stringify({ encryptionKey: 'unit-tests-only' }), { flag: 'wx', mode: 0o600 });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
	}
	process.env.N8N_USER_FOLDER = folder;
}
process.env.N8N_LOG_LEVEL ??= 'silent';
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
