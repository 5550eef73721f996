import { PlatformJobsApi } from '../../credentials/PlatformJobsApi.credentials';
import { credentialTest } from '../shared/credentialTest';

/**
 * No "who am I" endpoint: reading a job that does not exist answers a valid key
 * with 404 in the API's envelope `{ data: null, error: { name, message, details } }`.
 * Any other 404 (a Base URL without `/v1/api`, a web server) lacks that envelope.
 */
export const platformJobsApiTest = credentialTest({
	providerName: 'Platform Jobs',
	authenticate: new PlatformJobsApi().authenticate,
	path: '/jobs/n8n-credential-test',
	validKeyStatuses: [404],
	isProviderAnswer: (body) => {
		if (!body || typeof body !== 'object' || !('data' in body) || !('error' in body)) return false;
		const error = (body as { error: unknown }).error;
		return !!error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string';
	},
	baseUrlHint: 'https://your-platform.example.com/v1/api',
});
