import { HasDataApi } from '../../credentials/HasDataApi.credentials';
import { HasData } from '../../nodes/HasData/HasData.node';
import { HasDataTrigger } from '../../nodes/HasData/HasDataTrigger.node';
import { HasDataWebhookTrigger } from '../../nodes/HasData/HasDataWebhookTrigger.node';
import { HasDataEmulator } from '../emulators/hasData';
import type { ContextOptions } from './n8nContext';

/** A started HasData emulator (API + file host) plus context options pointing the nodes at it. */
export async function startHasData() {
	const emulator = new HasDataEmulator();
	await emulator.start();
	const credentials = { hasDataApi: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey } };
	const credentialTypes = [new HasDataApi()];
	const options = (parameters: ContextOptions['parameters'], extra: Partial<ContextOptions> = {}): ContextOptions => ({
		node: new HasData(),
		parameters: { resource: 'job', ...parameters },
		credentials,
		credentialTypes,
		...extra,
	});
	const triggerOptions = (parameters: ContextOptions['parameters'], extra: Partial<ContextOptions> = {}): ContextOptions => ({
		node: new HasDataTrigger(),
		parameters,
		credentials,
		credentialTypes,
		mode: 'trigger',
		...extra,
	});
	const webhookTriggerOptions = (parameters: ContextOptions['parameters'], extra: Partial<ContextOptions> = {}): ContextOptions => ({
		node: new HasDataWebhookTrigger(),
		parameters,
		credentials,
		credentialTypes,
		mode: 'trigger',
		...extra,
	});
	return { emulator, credentials, options, triggerOptions, webhookTriggerOptions };
}
