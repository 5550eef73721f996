import { LobstrApi } from '../../credentials/LobstrApi.credentials';
import { Lobstr } from '../../nodes/Lobstr/Lobstr.node';
import { LobstrTrigger } from '../../nodes/Lobstr/LobstrTrigger.node';
import { LobstrEmulator } from '../emulators/lobstr';
import type { LobstrEmulatorOptions } from '../emulators/lobstr';
import type { ContextOptions } from './n8nContext';

/** A started Lobstr emulator plus context options pointing the nodes at it. */
export async function startLobstr(emulatorOptions: LobstrEmulatorOptions = {}) {
	const emulator = new LobstrEmulator(emulatorOptions);
	await emulator.start();
	const credentials = { lobstrApi: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey } };
	const options = (parameters: ContextOptions['parameters'], extra: Partial<ContextOptions> = {}): ContextOptions => ({
		node: new Lobstr(),
		parameters,
		credentials,
		credentialTypes: [new LobstrApi()],
		...extra,
	});
	const triggerOptions = (parameters: ContextOptions['parameters'], extra: Partial<ContextOptions> = {}): ContextOptions => ({
		node: new LobstrTrigger(),
		parameters,
		credentials,
		credentialTypes: [new LobstrApi()],
		mode: 'trigger',
		...extra,
	});
	return { emulator, credentials, options, triggerOptions };
}

/** The squid locator's value as n8n stores it. */
export const byList = (value: string) => ({ __rl: true, mode: 'list', value });
export const byId = (value: string) => ({ __rl: true, mode: 'id', value });
