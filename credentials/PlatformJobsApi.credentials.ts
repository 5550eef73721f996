import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

export class PlatformJobsApi implements ICredentialType {
	name = 'platformJobsApi';

	displayName = 'Platform Jobs API';

	icon: Icon = { light: 'file:../icons/platformJobs.svg', dark: 'file:../icons/platformJobs.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-async-jobs#install-in-n8n';

	properties: INodeProperties[] = [
		// Same order as the other credentials: API Key, then Base URL.
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Sent as "Authorization: Bearer …"',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://your-platform.example.com/v1/api',
			description: 'The address of your deployment\'s Jobs API, ending in /v1/api. The API key is only ever sent to this host.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	// The API has no "who am I" endpoint: reading a job that does not exist answers
	// 404 to a valid key and 401 to a bad one, so only 401/403 fail the test.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrl.replace(/\\/+$/, "") }}',
			url: '/jobs/n8n-credential-test',
			method: 'GET',
			ignoreHttpStatusErrors: { ignore: true, except: [401, 403] },
		},
	};
}
