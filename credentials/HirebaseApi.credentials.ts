import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

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

	// No "who am I" endpoint: reading a task that does not exist answers 404 to a
	// valid key and 401 to a bad one, so only 401/403 fail the test.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrl.replace(/\\/+$/, "") }}',
			url: '/v2/tasks/n8n-credential-test',
			method: 'GET',
			ignoreHttpStatusErrors: { ignore: true, except: [401, 403] },
		},
	};
}
