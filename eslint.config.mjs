// n8n's community-node lint for the code that ships (nodes/, credentials/,
// package.json). Tests, emulators, benchmarks and scripts run only on developer
// machines and may use timers, process and files, so they are not linted here.
import { config } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';

export default [globalIgnores(['test/**', 'bench/**', 'scripts/**', 'examples/**', '.scripts-build/**', 'gulpfile.js', 'jest.config.js']), ...config];
