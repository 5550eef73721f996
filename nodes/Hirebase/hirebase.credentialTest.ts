import { HirebaseApi } from '../../credentials/HirebaseApi.credentials';
import { credentialTest } from '../shared/credentialTest';

/**
 * No "who am I" endpoint: reading a task that does not exist answers a valid key
 * with 404 and the API's FastAPI error body `{ detail: "…" }`. "Not Found" is what
 * FastAPI says for a path it has no route for (a Base URL with a wrong path), not
 * for a missing task, so it does not count.
 */
export const hirebaseApiTest = credentialTest({
	providerName: 'Hirebase',
	authenticate: new HirebaseApi().authenticate,
	path: '/v2/tasks/n8n-credential-test',
	validKeyStatuses: [404],
	isProviderAnswer: (body) => {
		const detail = body && typeof body === 'object' ? (body as { detail?: unknown }).detail : undefined;
		return typeof detail === 'string' && detail !== 'Not Found';
	},
	baseUrlHint: 'https://api.hirebase.org',
});
