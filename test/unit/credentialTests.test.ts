/**
 * The credential "Test" button of every provider, decided the way n8n's
 * credential tester decides it (test/helpers/n8nContext.ts → testCredential),
 * against the emulators over real HTTP: the right key passes; a wrong key, a Base
 * URL pointing at a web page or missing part of its path, and a Base URL that
 * redirects elsewhere all fail — and the key never reaches another host.
 * The same checks run in real n8n 1.x and 2.x in test/e2e/compat.ts.
 */
import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';

import { testCredential } from '../helpers/n8nContext';
import type { SentRequest } from '../helpers/n8nContext';
import { startHasData } from '../helpers/hasData';
import { startHirebase } from '../helpers/hirebase';
import { startLobstr } from '../helpers/lobstr';
import { startPlatform } from '../helpers/platform';
import { OtherHost } from '../emulators/otherHost';

interface Case {
	name: string;
	type: ICredentialType;
	node: INodeType;
	baseUrl: string;
	apiKey: string;
	/** A Base URL on the provider's own host that lacks part of its path. */
	incompleteBaseUrl: string;
	stop: () => Promise<void>;
}

const cases: Case[] = [];
const webPage = new OtherHost();
const elsewhere = new OtherHost();

beforeAll(async () => {
	await webPage.start();
	await elsewhere.start();
	const platform = await startPlatform();
	const hirebase = await startHirebase();
	const hasData = await startHasData();
	const lobstr = await startLobstr();
	const make = (name: string, started: { emulator: { baseUrl: string; apiKey: string; stop(): Promise<void> }; options: (p: IDataObject) => { node: INodeType; credentialTypes: ICredentialType[] } }, incompleteBaseUrl: string): Case => {
		const options = started.options({});
		return {
			name,
			type: options.credentialTypes[0],
			node: options.node,
			baseUrl: started.emulator.baseUrl,
			apiKey: started.emulator.apiKey,
			incompleteBaseUrl,
			stop: () => started.emulator.stop(),
		};
	};
	cases.push(
		make('Platform Jobs', platform, platform.emulator.baseUrl.replace(/\/v1\/api$/, '')),
		make('Hirebase', hirebase, hirebase.emulator.baseUrl + '/api'),
		make('HasData', hasData, hasData.emulator.baseUrl + '/v1'),
		make('Lobstr', lobstr, lobstr.emulator.baseUrl.replace(/\/v1$/, '')),
	);
});
afterAll(async () => {
	await Promise.all([...cases.map((c) => c.stop()), webPage.stop(), elsewhere.stop()]);
});

const each = (fn: (c: Case) => Promise<void>) => async () => {
	for (const c of cases) await fn(c);
};

describe('credential Test, every provider', () => {
	it(
		'passes with the right key (Base URL with or without a trailing slash)',
		each(async (c) => {
			for (const baseUrl of [c.baseUrl, c.baseUrl + '/']) {
				const result = await testCredential(c.type, { baseUrl, apiKey: c.apiKey }, c.node);
				expect({ provider: c.name, ...result }).toMatchObject({ provider: c.name, ok: true });
			}
		}),
	);

	it(
		'fails with a wrong key',
		each(async (c) => {
			const result = await testCredential(c.type, { baseUrl: c.baseUrl, apiKey: 'wrong-key' }, c.node);
			expect({ provider: c.name, ...result }).toMatchObject({ provider: c.name, ok: false });
		}),
	);

	it(
		'fails when the Base URL is a web page that answers 200 to everything',
		each(async (c) => {
			const result = await testCredential(c.type, { baseUrl: webPage.baseUrl, apiKey: c.apiKey }, c.node);
			expect({ provider: c.name, ...result }).toMatchObject({ provider: c.name, ok: false });
			if (!c.type.test) expect(result.message).toMatch(/did not answer like the .* API \(HTTP 200, text\/html/);
		}),
	);

	it(
		'fails when the Base URL is the provider\'s host with part of the path missing or extra (e.g. Platform without /v1/api)',
		each(async (c) => {
			const result = await testCredential(c.type, { baseUrl: c.incompleteBaseUrl, apiKey: c.apiKey }, c.node);
			expect({ provider: c.name, ...result }).toMatchObject({ provider: c.name, ok: false });
		}),
	);

	it(
		'fails when the Base URL redirects to another host, and the key never reaches that host',
		each(async (c) => {
			const redirector = new OtherHost({ to: elsewhere.baseUrl });
			await redirector.start();
			try {
				const sent: SentRequest[] = [];
				const result = await testCredential(c.type, { baseUrl: redirector.baseUrl, apiKey: c.apiKey }, c.node, sent);
				expect({ provider: c.name, ...result }).toMatchObject({ provider: c.name, ok: false });
				expect(redirector.requests).toHaveLength(1);
				expect(elsewhere.requestsCarrying(c.apiKey)).toEqual([]);
			} finally {
				await redirector.stop();
			}
		}),
	);

	it('HasData: an exhausted quota (403) fails with HasData\'s own words', async () => {
		const hasData = cases.find((c) => c.name === 'HasData')!;
		const hd = await startHasData();
		try {
			const result = await testCredential(hasData.type, { baseUrl: hd.emulator.baseUrl, apiKey: hd.emulator.exhaustedKey }, hasData.node);
			expect(result).toMatchObject({ ok: false });
			expect(result.message).toMatch(/HTTP 403: API credits quota exhausted/);
		} finally {
			await hd.emulator.stop();
		}
	});
});
