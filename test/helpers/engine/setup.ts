/**
 * What n8n-core needs from its host process before it runs anything: a user
 * folder for its instance settings (kept out of the developer's home — n8n
 * writes an encryption key there) and quiet logs. Binary data stays in n8n's
 * in-memory mode (BinaryDataService not initialised: files are kept as base64
 * on the item), as n8n does when no storage is set up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'n8n-engine-test-'));
process.env.N8N_LOG_LEVEL ??= 'silent';
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
