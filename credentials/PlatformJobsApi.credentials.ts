import type { IAuthenticateGeneric, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

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

	// Tested by the Platform Jobs nodes (testedBy: 'platformJobsApiTest',
	// nodes/PlatformJobs/platformJobs.credentialTest.ts): the API has no "who am I"
	// endpoint, and a declarative test cannot tell its "no such job" 404 (valid key)
	// from a web page or a wrong key on n8n 1.x.
}
