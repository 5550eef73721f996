/**
 * The provider registry for the demo, `npm run dev` and the end-to-end tests.
 * Adding a provider = one entry here: how to start its emulator (on a given
 * port), seed the jobs its example workflows use, and the credential pointing
 * n8n at it. Its example workflows live in examples/ and are listed in `examples`.
 */
import { PlatformJobsEmulator } from '../test/emulators/platformJobs';
import type { PlatformJobPlan } from '../test/emulators/platformJobs';
import { HasDataEmulator } from '../test/emulators/hasData';
import { HirebaseEmulator } from '../test/emulators/hirebase';
import { LobstrEmulator } from '../test/emulators/lobstr';

export interface ExampleWorkflow {
	/** File under examples/. */
	file: string;
	/** The workflow id inside the file. */
	id: string;
	title: string;
	/**
	 * 'run' = executed by the demo and e2e with `n8n execute`; 'trigger' = published in
	 * a running n8n; 'parked' = parks its execution (a durable loop through n8n's Wait
	 * node, or a wait for the provider's callback), so it runs in a running n8n.
	 */
	kind: 'run' | 'trigger' | 'parked';
	/** The node whose output items are the job's rows, and how many there must be. */
	rowsNode?: string;
	expectRows?: number;
	/** Fields every row must have (checks the provider's rows were unwrapped, not just counted). */
	rowKeys?: string[];
	/** The node that outputs the job (status), and the node that outputs the XLSX (binary `data`). */
	jobNode?: string;
	fileNode?: string;
	/** Where the demo saves that XLSX, under its output folder. */
	outputFile?: string;
}

export interface RunningEmulator {
	/** The provider's API base URL on this machine. */
	baseUrl: string;
	/** Credential `data` (plain text; n8n encrypts it on import). */
	credentialData: Record<string, unknown>;
	stop(): Promise<void>;
	/**
	 * Creates a job with the given id that finishes `afterMs` from now, with
	 * `rows` result rows (trigger and stop tests). Optional per provider.
	 */
	createTimedJob?(id: string, afterMs: number, rows: number): void;
	/** How many requests the emulator got about a job (stop test). Optional per provider. */
	requestsAbout?(id: string): number;
	/** How many requests the emulator refused with 429 so far (providers with rate limits). */
	throttled?(): number;
	/** Every API request the emulator received (method, path, time), oldest first. */
	requestLog(): Array<{ method: string; path: string; at: number }>;
	/** Jobs started from now on take this long to finish (callback tests). Optional per provider. */
	setJobDuration?(ms: number): void;
	/** The callbacks the emulator made to webhook URLs (providers that call back). */
	callbacks?(): Array<{ jobId: string; url: string; status: number | string; at: number }>;
	/** The webhook a started job was given (providers that call back), to forge calls in tests. */
	webhookOf?(jobId: string): { url: string; headers: Record<string, string> } | undefined;
}

export interface ProviderEntry {
	key: string;
	title: string;
	/** Fixed port for `npm run dev` (the demo and tests use free ports). */
	devPort: number;
	credential: { id: string; name: string; type: string };
	start(port: number): Promise<RunningEmulator>;
	examples: ExampleWorkflow[];
}

// ---------------------------------------------------------------- Platform Jobs

export const PLATFORM_EXPORT_ROWS = 12;

export function exportRows(n: number, prefix = 'row'): Array<Record<string, unknown>> {
	return Array.from({ length: n }, (_, i) => ({
		id: `${prefix}-${i + 1}`,
		company: ['Acme', 'Globex', 'Initech', 'Umbrella'][i % 4],
		city: ['Berlin', 'Lisbon', 'Austin', 'Osaka'][i % 4],
		revenue: 1000 + i * 250,
	}));
}

/** The Platform emulator issues random ids; example workflows need known ones. */
function platformJobWithId(emulator: PlatformJobsEmulator, id: string, plan: PlatformJobPlan): void {
	const created = emulator.createJob(plan);
	const job = emulator.jobs.get(created)!;
	emulator.jobs.delete(created);
	job.id = id;
	emulator.jobs.set(id, job);
}

const platformJobs: ProviderEntry = {
	key: 'platformJobs',
	title: 'Platform Jobs',
	devPort: 5701,
	credential: { id: 'asyncJobsPlatfrm', name: 'Platform Jobs (local emulator)', type: 'platformJobsApi' },
	async start(port) {
		const emulator = new PlatformJobsEmulator('platform-demo-key');
		emulator.rateLimit.limit = 1_000_000;
		await emulator.start(port);
		// A finished export; rerunning it takes ~8 s (2 s queued, 6 s running).
		const rows = exportRows(PLATFORM_EXPORT_ROWS);
		platformJobWithId(emulator, 'job_demo_export', {
			type: 'export',
			queuedMs: 0,
			runMs: 0,
			result: { rowCount: rows.length, rows },
			rerunPlan: { type: 'export', queuedMs: 2000, runMs: 6000, result: { rowCount: rows.length, rows } },
		});
		// Jobs the example trigger workflow watches (dev: they finish a minute or two in).
		platformJobWithId(emulator, 'job_demo_watch_1', { type: 'export', queuedMs: 5_000, runMs: 30_000, result: { rowCount: 3, rows: exportRows(3, 'w1') } });
		platformJobWithId(emulator, 'job_demo_watch_2', { type: 'export', queuedMs: 5_000, runMs: 90_000, result: { rowCount: 4, rows: exportRows(4, 'w2') } });
		platformJobWithId(emulator, 'job_demo_watch_3', { type: 'export', queuedMs: 5_000, runMs: 150_000, outcome: 'failed', errorMessage: 'Worker ran out of memory' });
		return {
			baseUrl: emulator.baseUrl,
			credentialData: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey },
			stop: () => emulator.stop(),
			requestsAbout: (id) => emulator.server.requests.filter((r) => r.path.includes(`/jobs/${id}`)).length,
			requestLog: () => emulator.server.requests,
			createTimedJob(id, afterMs, n) {
				emulator.jobs.delete(id);
				platformJobWithId(emulator, id, { type: 'export', queuedMs: 0, runMs: afterMs, result: { rowCount: n, rows: exportRows(n, id) } });
			},
		};
	},
	examples: [
		{
			file: 'platform-jobs-rerun-to-xlsx.json',
			id: 'asyncJobsPlatEx1',
			title: 'Platform Jobs: rerun export → XLSX',
			kind: 'run',
			jobNode: 'Rerun Export Job',
			rowsNode: 'Get Rows',
			expectRows: PLATFORM_EXPORT_ROWS,
			fileNode: 'Convert to XLSX',
			outputFile: 'platform-jobs-export.xlsx',
		},
		{ file: 'platform-jobs-trigger-to-xlsx.json', id: 'asyncJobsPlatTr1', title: 'Platform Jobs Trigger → XLSX', kind: 'trigger' },
		{
			file: 'platform-jobs-durable-loop-to-xlsx.json',
			id: 'asyncJobsPlatLp1',
			title: 'Platform Jobs: rerun export → durable loop → XLSX',
			kind: 'parked',
			jobNode: 'Check Status and Route',
			rowsNode: 'Get Rows',
			expectRows: PLATFORM_EXPORT_ROWS,
			fileNode: 'Convert to XLSX',
		},
	],
};

// ---------------------------------------------------------------- Hirebase

export const HIREBASE_EXPORT_ROWS = 15;
const HIREBASE_DEMO_TASK = '8107c787-16b9-4763-af74-e2c789a5169e';

const hirebase: ProviderEntry = {
	key: 'hirebase',
	title: 'Hirebase',
	devPort: 0, // the emulator picks its ports (API + file storage host)
	credential: { id: 'asyncJobsHirebse', name: 'Hirebase (local emulator)', type: 'hirebaseApi' },
	async start() {
		const emulator = new HirebaseEmulator('hirebase-demo-key');
		await emulator.start();
		// A finished export with a known id; its rerun takes ~6 s and yields the records.
		const created = emulator.createTask({ queuedMs: 0, processingMs: 0, recordCount: HIREBASE_EXPORT_ROWS });
		const task = emulator.tasks.get(created)!;
		emulator.tasks.delete(created);
		task.id = HIREBASE_DEMO_TASK;
		emulator.tasks.set(task.id, task);
		// The rerun's size comes from the demo task's search (limit = HIREBASE_EXPORT_ROWS), as in the API.
		emulator.exportPlan = () => ({ queuedMs: 1500, processingMs: 4500 });
		return {
			baseUrl: emulator.baseUrl,
			credentialData: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey },
			stop: () => emulator.stop(),
			requestLog: () => emulator.api.requests,
		};
	},
	examples: [
		{
			file: 'hirebase-durable-loop-to-xlsx.json',
			id: 'asyncJobsHireLp1',
			title: 'Hirebase: rerun export → durable loop → XLSX',
			kind: 'parked',
			jobNode: 'Check Status and Route',
			rowsNode: 'Get Records',
			expectRows: HIREBASE_EXPORT_ROWS,
			fileNode: 'Convert to XLSX',
		},
		{
			file: 'hirebase-rerun-to-xlsx.json',
			id: 'asyncJobsHireEx1',
			title: 'Hirebase: rerun export → XLSX',
			kind: 'run',
			jobNode: 'Rerun Export Task',
			rowsNode: 'Get Records',
			expectRows: HIREBASE_EXPORT_ROWS,
			fileNode: 'Convert to XLSX',
			outputFile: 'hirebase-export.xlsx',
		},
	],
};

// ---------------------------------------------------------------- Lobstr

/** Three pages of /results (100 a page) at Lobstr's 2 requests/s. */
export const LOBSTR_RESULT_ROWS = 250;
export const LOBSTR_DEMO_SQUID = '5e0f3c2a9d8b4e7fa1c6b3d2e4f50718';

const lobstr: ProviderEntry = {
	key: 'lobstr',
	title: 'Lobstr',
	devPort: 5702,
	credential: { id: 'asyncJobsLobstr1', name: 'Lobstr (local emulator)', type: 'lobstrApi' },
	async start(port) {
		// Lobstr's published per-endpoint limits stay on (results 2/s): the nodes must stay under them.
		const emulator = new LobstrEmulator({ apiKey: 'lobstr-demo-key' });
		await emulator.start(port);
		// A squid with a known id and two tasks; each run started on it takes ~6 s
		// (1.5 s pending, 4 s running, 0.5 s uploading) and yields the rows.
		const created = emulator.addSquid('Demo: Google Maps leads', {
			pendingMs: 1500,
			runningMs: 4000,
			uploadingMs: 500,
			rows: LOBSTR_RESULT_ROWS,
		});
		const squid = emulator.squids.get(created)!;
		emulator.squids.delete(created);
		squid.id = LOBSTR_DEMO_SQUID;
		emulator.squids.set(squid.id, squid);
		emulator.addTask(squid.id, { url: 'https://www.google.com/maps/search/coffee+berlin' });
		emulator.addTask(squid.id, { url: 'https://www.google.com/maps/search/coffee+lisbon' });
		return {
			baseUrl: emulator.baseUrl,
			credentialData: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey },
			stop: () => emulator.stop(),
			throttled: () => emulator.rejected,
			requestLog: () => emulator.server.requests,
		};
	},
	examples: [
		{
			file: 'lobstr-durable-loop-to-xlsx.json',
			id: 'asyncJobsLobsLp1',
			title: 'Lobstr: start squid run → durable loop → XLSX',
			kind: 'parked',
			jobNode: 'Check Status and Route',
			rowsNode: 'Get Run Results',
			expectRows: LOBSTR_RESULT_ROWS,
			rowKeys: ['id', 'run', 'squid', 'name', 'rating'],
			fileNode: 'Convert to XLSX',
		},
		{
			file: 'lobstr-run-to-xlsx.json',
			id: 'asyncJobsLobsEx1',
			title: 'Lobstr: start squid run → XLSX',
			kind: 'run',
			jobNode: 'Start Squid Run',
			rowsNode: 'Get Run Results',
			expectRows: LOBSTR_RESULT_ROWS,
			rowKeys: ['id', 'run', 'squid', 'name', 'rating'],
			fileNode: 'Convert to XLSX',
			outputFile: 'lobstr-results.xlsx',
		},
	],
};

// ---------------------------------------------------------------- HasData

/** Two pages of /results (100 a page). */
export const HASDATA_RESULT_ROWS = 120;

const hasData: ProviderEntry = {
	key: 'hasData',
	title: 'HasData',
	devPort: 0, // the emulator picks its ports (API + file host)
	credential: { id: 'asyncJobsHasData', name: 'HasData (local emulator)', type: 'hasDataApi' },
	async start() {
		const emulator = new HasDataEmulator('hasdata-demo-key');
		await emulator.start();
		// Every job started through the API takes ~6 s (1.5 s pending, 4.5 s in progress).
		emulator.defaultPlan = { queuedMs: 1500, runMs: 4500, rows: HASDATA_RESULT_ROWS };
		return {
			baseUrl: emulator.baseUrl,
			credentialData: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey },
			stop: () => emulator.stop(),
			// The free plan's 1 simultaneous request: the nodes must never be refused for it.
			throttled: () => emulator.refusedForConcurrency,
			requestLog: () => emulator.server.requests,
			setJobDuration: (ms) => (emulator.defaultPlan = { ...emulator.defaultPlan, queuedMs: Math.min(1500, ms), runMs: Math.max(0, ms - 1500) }),
			callbacks: () => emulator.webhookDeliveries.map((d) => ({ jobId: String(d.jobId), url: d.url, status: d.status, at: d.at })),
			webhookOf: (jobId) => {
				const webhook = emulator.jobs.get(jobId)?.input.webhook as { url: string; headers?: Record<string, string> } | undefined;
				return webhook ? { url: webhook.url, headers: webhook.headers ?? {} } : undefined;
			},
		};
	},
	examples: [
		{
			file: 'hasdata-durable-loop-to-xlsx.json',
			id: 'asyncJobsHasDLp1',
			title: 'HasData: start crawler job → durable loop → XLSX',
			kind: 'parked',
			jobNode: 'Check Status and Route',
			rowsNode: 'Get Job Rows',
			expectRows: HASDATA_RESULT_ROWS,
			rowKeys: ['url', 'title', 'statusCode'],
			fileNode: 'Convert to XLSX',
		},
		{
			file: 'hasdata-callback-to-xlsx.json',
			id: 'asyncJobsHasDCb1',
			title: 'HasData: start crawler job → park until HasData calls back → XLSX',
			kind: 'parked',
			jobNode: 'Start Crawler Job',
			rowsNode: 'Get Job Rows',
			expectRows: HASDATA_RESULT_ROWS,
			rowKeys: ['url', 'title', 'statusCode'],
			fileNode: 'Convert to XLSX',
		},
		{
			file: 'hasdata-job-to-xlsx.json',
			id: 'asyncJobsHasDEx1',
			title: 'HasData: start crawler job → XLSX',
			kind: 'run',
			jobNode: 'Start Crawler Job',
			rowsNode: 'Get Job Rows',
			expectRows: HASDATA_RESULT_ROWS,
			// The rows are HasData's `data[i].data`, unwrapped.
			rowKeys: ['url', 'title', 'statusCode'],
			fileNode: 'Convert to XLSX',
			outputFile: 'hasdata-results.xlsx',
		},
	],
};

/** Every provider, in display order. */
export const PROVIDERS: ProviderEntry[] = [platformJobs, hirebase, lobstr, hasData];
