import type { IAuthenticateGeneric, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

export class HasDataApi implements ICredentialType {
	name = 'hasDataApi';

	displayName = 'HasData API';

	icon: Icon = { light: 'file:../icons/hasData.svg', dark: 'file:../icons/hasData.dark.svg' };

	documentationUrl = 'https://docs.hasdata.com';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your key from the HasData dashboard, sent as the "x-api-key" header',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: 'https://api.hasdata.com',
			description: 'The HasData API address. Change it only for a proxy or a test server. The API key is only ever sent to this host.',
		},
		{
			displayName: 'Max Simultaneous Requests',
			name: 'maxConcurrentRequests',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 1, numberPrecision: 0 },
			description:
				'How many requests n8n sends to HasData at the same time with this key (all HasData nodes together). HasData limits simultaneous requests by plan and refuses the next one with 429; set your plan\'s concurrency here.',
			hint: 'Free plan: 1. Paid plans allow more: see your plan on hasdata.com.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'x-api-key': '={{$credentials.apiKey}}' } },
	};

	// Tested by the HasData nodes (testedBy: 'hasDataApiTest', nodes/HasData/hasData.credentialTest.ts):
	// the API has no "who am I" endpoint, and a declarative test cannot tell its
	// "no such job" 404 (valid key) from a web page or a wrong key on n8n 1.x.
}
