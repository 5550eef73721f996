import type { IAuthenticateGeneric, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

export class HirebaseApi implements ICredentialType {
	name = 'hirebaseApi';

	displayName = 'Hirebase API';

	icon: Icon = { light: 'file:../icons/hirebase.svg', dark: 'file:../icons/hirebase.dark.svg' };

	documentationUrl = 'https://docs.hirebase.org';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your Hirebase API key, sent as the "x-api-key" header. It is never sent to the host the export files are downloaded from.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: 'https://api.hirebase.org',
			description: 'The address of the Hirebase API. Change it only for a proxy or a test server.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'x-api-key': '={{$credentials.apiKey}}' } },
	};

	// Tested by the Hirebase nodes (testedBy: 'hirebaseApiTest', nodes/Hirebase/hirebase.credentialTest.ts):
	// the API has no "who am I" endpoint, and a declarative test cannot tell its
	// "no such task" 404 (valid key) from a web page or a wrong key on n8n 1.x.
}
