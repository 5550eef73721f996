import { HasDataApi } from '../../credentials/HasDataApi.credentials';
import { credentialTest } from '../shared/credentialTest';

/**
 * No "who am I" endpoint: reading a job that does not exist answers a valid key
 * with 404 and HasData's error body `{ message: "…" }` (401 for a wrong key, 403
 * when the credits are used up).
 */
export const hasDataApiTest = credentialTest({
	providerName: 'HasData',
	authenticate: new HasDataApi().authenticate,
	path: '/scrapers/jobs/n8n-credential-test',
	validKeyStatuses: [404],
	isProviderAnswer: (body) => !!body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string',
	baseUrlHint: 'https://api.hasdata.com',
});
