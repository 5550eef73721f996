/**
 * `npm run emulators`: every provider's emulator on its fixed dev port, seeded
 * with the demo jobs, until Ctrl+C. Prints the credential values to use.
 */
import { log } from './lib/log';
import { credentialsFor, startEmulators, stopEmulators } from './lib/stack';

async function main(): Promise<void> {
	const started = await startEmulators(true);
	for (const c of credentialsFor(started)) log('emulators', `credential ${JSON.stringify(c)}`);
	log('emulators', 'running; Ctrl+C to stop');
	const stop = async () => {
		await stopEmulators(started);
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
