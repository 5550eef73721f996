import { PlatformJobsApi } from '../../credentials/PlatformJobsApi.credentials';
import { PlatformJobs } from '../../nodes/PlatformJobs/PlatformJobs.node';
import { PlatformJobsTrigger } from '../../nodes/PlatformJobs/PlatformJobsTrigger.node';
import { PlatformJobsEmulator } from '../emulators/platformJobs';
import type { ContextOptions } from './n8nContext';

/** A started Platform emulator plus context options pointing the nodes at it. */
export async function startPlatform() {
	const emulator = new PlatformJobsEmulator();
	await emulator.start();
	const credentials = { platformJobsApi: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey } };
	const options = (parameters: ContextOptions['parameters'], extra: Partial<ContextOptions> = {}): ContextOptions => ({
		node: new PlatformJobs(),
		parameters: { resource: 'job', ...parameters },
		credentials,
		credentialTypes: [new PlatformJobsApi()],
		...extra,
	});
	const triggerOptions = (parameters: ContextOptions['parameters'], extra: Partial<ContextOptions> = {}): ContextOptions => ({
		node: new PlatformJobsTrigger(),
		parameters,
		credentials,
		credentialTypes: [new PlatformJobsApi()],
		mode: 'trigger',
		...extra,
	});
	return { emulator, credentials, options, triggerOptions };
}
