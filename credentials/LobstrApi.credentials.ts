import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

export class LobstrApi implements ICredentialType {
	name = 'lobstrApi';

	displayName = 'Lobstr API';

	icon: Icon = { light: 'file:../icons/lobstr.svg', dark: 'file:../icons/lobstr.dark.svg' };

	documentationUrl = 'https://docs.lobstr.io';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your Lobstr.io API key (Dashboard → API). Sent as "Authorization: Token …".',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: 'https://api.lobstr.io/v1',
			description: 'The Lobstr API address. Change it only for a proxy or a test server; the key is only ever sent to this host.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Token {{$credentials.apiKey}}' } },
	};

	// Listing squids answers a valid key with 200 and the paged envelope
	// `{ data: [...], total_results, … }`; a wrong key gets 401 (n8n fails any
	// non-2xx, on every version). The rule fails a 200 without `data` — a Base URL
	// pointing at a web page or another API. Redirects are not followed, so the
	// key never travels on to another host.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrl.replace(/\\/+$/, "") }}',
			url: '/squids',
			qs: { page: 1, limit: 1 },
			method: 'GET',
			disableFollowRedirect: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'data',
					value: undefined,
					message: 'This Base URL did not answer like the Lobstr API (no "data" list in its answer). It should be https://api.lobstr.io/v1.',
				},
			},
		],
	};
}
