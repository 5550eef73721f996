import { HirebaseApi } from '../../credentials/HirebaseApi.credentials';
import { Hirebase } from '../../nodes/Hirebase/Hirebase.node';
import { HirebaseTrigger } from '../../nodes/Hirebase/HirebaseTrigger.node';
import { HirebaseEmulator } from '../emulators/hirebase';
import type { ContextOptions } from './n8nContext';

/** A started Hirebase emulator (API + storage host) plus context options pointing the nodes at it. */
export async function startHirebase() {
	const emulator = new HirebaseEmulator();
	await emulator.start();
	const credentials = { hirebaseApi: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey } };
	const options = (parameters: ContextOptions['parameters'], extra: Partial<ContextOptions> = {}): ContextOptions => ({
		node: new Hirebase(),
		parameters: { resource: 'task', ...parameters },
		credentials,
		credentialTypes: [new HirebaseApi()],
		...extra,
	});
	const triggerOptions = (parameters: ContextOptions['parameters'], extra: Partial<ContextOptions> = {}): ContextOptions => ({
		node: new HirebaseTrigger(),
		parameters,
		credentials,
		credentialTypes: [new HirebaseApi()],
		mode: 'trigger',
		...extra,
	});
	return { emulator, credentials, options, triggerOptions };
}
