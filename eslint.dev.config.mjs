// Lint for code that never ships: tests, emulators, scripts and benchmarks.
// It is n8n's community-node config (the one eslint.config.mjs uses, unchanged,
// for nodes/ and credentials/) minus the rules that exist because node code runs
// inside n8n — no timers, `process`, files or console there. Code here runs on a
// developer's machine or in CI and legitimately uses all of them.
//
// test/, scripts/ and bench/ pick this up through their own eslint.config.mjs:
// `npm run lint` runs ESLint with config lookup from each file's folder
// (ESLINT_FLAGS=unstable_config_lookup_from_file, ESLint 10's default).
import { config } from '@n8n/node-cli/eslint';

export default [
	...config,
	{
		files: ['**/*.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-globals': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'no-console': 'off',
			// NodeApiError/NodeOperationError are for errors a node shows in n8n; scripts are not nodes.
			'@n8n/community-nodes/require-node-api-error': 'off',
			// Scripts start n8n and emulators; test helpers evaluate credential expressions.
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			// Test credentials for the local emulators are not secrets.
			'@n8n/community-nodes/no-hardcoded-secrets': 'off',
			// The harness reads n8n's untyped run data and emulator request bodies.
			'@typescript-eslint/no-explicit-any': 'off',
		},
	},
];
