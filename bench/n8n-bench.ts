/**
 * Benchmarks in a REAL n8n (the pinned 2.41.1 of the e2e suite): for each case,
 * the package's workflow and the workflow a user builds by hand instead run
 * alternately in the same n8n (same user folder and database, `n8n execute`,
 * several runs each), against the project's emulators, and the table prints
 * wall time, requests and peak memory with the ratios.
 *
 *   npm run bench                         # every case, 3 runs each
 *   npm run bench -- --runs=2 --only=wait,hasdata
 *   npm run bench -- --dist=/path/to/other/dist --label=before   # another build of the package
 *   npm run bench -- --only=hasdata,lobstr --latency=150 --jitter=100   # requests over a network
 *
 * - wall: the execution's own startedAt → stoppedAt (n8n's start-up excluded).
 * - requests: what the emulator received during the run.
 * - peak memory: the most resident memory of the `n8n execute` process and its
 *   children (the JS task runner that runs Code nodes) above n8n's floor at the
 *   same time since spawn (a workflow that only waits: see floorOf), sampled every
 *   25 ms until the execution stopped. n8n's own printing of the run data
 *   afterwards is not counted.
 *
 * Not part of `npm test`: it takes minutes and its figures vary with the load.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { log } from '../scripts/lib/log';
import { buildPackage, ensureN8n, N8n, N8N_VERSION, parseJsonTail } from '../scripts/lib/n8n';
import { freePort } from '../scripts/lib/stack';
import { HasDataEmulator } from '../test/emulators/hasData';
import { HirebaseEmulator } from '../test/emulators/hirebase';
import { LobstrEmulator } from '../test/emulators/lobstr';
import { PlatformJobsEmulator } from '../test/emulators/platformJobs';

import { finishedHirebaseExport, lastExecution, treeRss } from './lib';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const RUNS = Number(arg('runs') ?? 3);
const ONLY = arg('only')?.split(',');
const DIST = arg('dist');
const LABEL = arg('label') ?? (DIST ? path.basename(path.dirname(DIST)) : 'this checkout');
const WAIT_JOBS = Number(arg('jobs') ?? 50);
/** Only the variants whose label starts with this (package / hand-built). */
const VARIANT = arg('variant');
const DEBUG = process.argv.includes('--debug');
/** The wait case's jobs run MIN..MAX seconds (spread evenly), after 0–5 s in the queue. */
const WAIT_MIN_S = Number(arg('wait-min') ?? 10);
const WAIT_MAX_S = Number(arg('wait-max') ?? 60);
const POLL_S = 2;
/** How long the floor workflow waits: n8n's task runner stops growing within about 10 s of start-up. */
const FLOOR_WAIT_S = Number(arg('floor-wait') ?? 12);
/**
 * Network delay of each HasData and Lobstr request (`--latency=150 --jitter=100`: 150–250 ms),
 * as from an n8n instance to the real API; by default the emulators answer at once on
 * 127.0.0.1 (HasData after 5 ms), where only n8n's own work per page shows.
 */
const LATENCY_MS = arg('latency') === undefined ? undefined : Number(arg('latency'));
const JITTER_MS = Number(arg('jitter') ?? 0);
const MB = 1024 * 1024;

// ---------------------------------------------------------------- workflows

type NodeJson = { name: string; type: string; typeVersion: number; parameters: Record<string, unknown>; credentials?: Record<string, unknown> };
let nodeCounter = 0;

function workflow(id: string, name: string, chain: NodeJson[], links?: Array<[string, number, string]>) {
	const nodes = chain.map((n, i) => ({ id: `${id}-${++nodeCounter}`, position: [i * 220, 0], ...n }));
	const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> = {};
	const link = (from: string, output: number, to: string) => {
		connections[from] ??= { main: [] };
		while (connections[from].main.length <= output) connections[from].main.push([]);
		connections[from].main[output].push({ node: to, type: 'main', index: 0 });
	};
	// Each node feeds the next, unless the connections are given (branches, loops).
	if (links) for (const [from, output, to] of links) link(from, output, to);
	else for (let i = 0; i + 1 < chain.length; i++) link(chain[i].name, 0, chain[i + 1].name);
	return { id, name, nodes, connections, settings: { executionOrder: 'v1' }, active: false, pinData: {}, tags: [] };
}

const manual = (): NodeJson => ({ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} });
const code = (name: string, jsCode: string): NodeJson => ({ name, type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode } });
const creds = (type: string, id: string) => ({ [type]: { id, name: id } });
const header = (name: string, value: string) => ({ sendHeaders: true, headerParameters: { parameters: [{ name, value }] } });

function httpGet(name: string, url: string, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): NodeJson {
	return { name, type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, parameters: { method: 'GET', url, ...extra, options } };
}

/** HTTP Request's built-in pagination: a page query parameter until `done` says stop. */
function paginated(name: string, url: string, auth: Record<string, unknown>, query: Record<string, string>, done: string, intervalMs = 0): NodeJson {
	return httpGet(
		name,
		url,
		{ ...auth, sendQuery: true, queryParameters: { parameters: Object.entries(query).map(([k, value]) => ({ name: k, value })) } },
		{
			pagination: {
				pagination: {
					parameters: { parameters: [{ type: 'qs', name: 'page', value: '={{ $pageCount + 1 }}' }] },
					paginationCompleteWhen: 'other',
					completeExpression: `={{ ${done} }}`,
					limitPagesFetched: true,
					maxRequests: 10_000,
					...(intervalMs ? { requestInterval: intervalMs } : {}),
				},
			},
		},
	);
}

// ---------------------------------------------------------------- measuring

interface Measure {
	wallMs: number;
	peakMb: number;
	/** Highest resident memory so far (bytes, process tree) by ms since `n8n execute` was spawned. */
	envelope: Array<[number, number]>;
	requests: number;
	items: number;
	extra: Record<string, number | string>;
}

async function execute(n8n: N8n, workflowId: string, countRequests: () => number, itemsNode: string): Promise<Measure> {
	const samples: Array<[number, number]> = [];
	let pid = 0;
	let spawnedAt = 0;
	const timer = setInterval(() => pid && samples.push([Date.now(), treeRss(pid)]), 25);
	const before = countRequests();
	const res = await n8n.execute(workflowId, 900_000, (p) => {
		pid = p;
		spawnedAt = Date.now();
	});
	clearInterval(timer);
	// n8n may log a line (e.g. the task runner registering) in the middle of the printed run data.
	res.data ??= parseJsonTail(res.output.split('\n').filter((line) => !/^[A-Za-z]/.test(line)).join('\n'));
	// A big run data is cut short on stdout when `n8n execute` exits: then the execution's
	// times and status come from n8n's database, and its items go uncounted.
	let counted = true;
	if (!res.data?.startedAt) {
		const row = lastExecution(n8n);
		if (row) {
			res.data = { status: row.status, startedAt: new Date(row.startedAt).toISOString(), stoppedAt: new Date(row.stoppedAt).toISOString(), data: {} };
			counted = false;
		}
	}
	// The run data says whether the workflow succeeded (n8n's exit code at shutdown may not).
	if (res.data?.status !== 'success' || !res.data?.startedAt) {
		const error = res.data?.data?.resultData?.error;
		throw new Error(`${workflowId} failed (ok ${res.ok}, run data ${res.data ? 'parsed' : 'missing'}): ${error ? JSON.stringify(error).slice(0, 500) : res.output.split('\n').slice(-15).join('\n')}`);
	}
	const started = Date.parse(res.data.startedAt);
	const stopped = Date.parse(res.data.stoppedAt);
	const during = samples.filter(([t]) => t <= stopped + 25);
	let highest = 0;
	const envelope = during.map(([t, rss]): [number, number] => [t - spawnedAt, (highest = Math.max(highest, rss))]);
	const runData = res.data.data?.resultData?.runData ?? {};
	const items = (runData[itemsNode] ?? []).reduce((sum: number, run: any) => sum + (run?.data?.main?.[0]?.length ?? 0), 0);
	return { wallMs: stopped - started, peakMb: highest / MB, envelope, requests: countRequests() - before, items: counted ? items : -1, extra: {} };
}

/**
 * n8n's floor at each moment: the highest resident memory a workflow that only waits
 * has reached that long after `n8n execute` was spawned (median of the floor runs).
 * It is not one figure because n8n's JS task runner keeps growing for several seconds
 * after start-up whatever the workflow does: a floor taken from an instant workflow
 * would charge that growth to every case that runs for seconds.
 */
type Floor = (msSinceSpawn: number) => number;

function floorOf(runs: Measure[]): Floor {
	const at = (envelope: Array<[number, number]>, ms: number) => {
		let value = envelope[0]?.[1] ?? 0;
		for (const [t, rss] of envelope) {
			if (t > ms) break;
			value = rss;
		}
		return value;
	};
	return (ms) => median(runs.map((run) => at(run.envelope, ms)));
}

/** The most memory (MB) a run held above n8n's floor at the same moment since spawn. */
function overFloorMb(m: Measure, floor: Floor): number {
	return Math.max(0, ...m.envelope.map(([t, rss]) => rss - floor(t))) / MB;
}

interface Variant {
	label: string;
	workflowId: string;
	itemsNode: string;
	expectItems: number;
}

interface Case {
	key: string;
	title: string;
	variants: Variant[];
	countRequests: () => number;
	/** Before each run: fresh jobs, counters. */
	prepare?: (variant: Variant) => void;
	/** After each run: case-specific figures (detection latency, request rate, bytes read). */
	after?: (variant: Variant, m: Measure) => void;
}

// ---------------------------------------------------------------- the cases

async function main(): Promise<void> {
	const installDir = ensureN8n();
	if (!DIST) buildPackage();
	const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-bench-out-'));

	const platform = new PlatformJobsEmulator('bench-platform-key');
	platform.rateLimit.limit = 1_000_000_000;
	const hasData = new HasDataEmulator('bench-hasdata-key');
	// A plan with 4 simultaneous requests, as the bench's credential says.
	hasData.maxConcurrentRequests = 4;
	const lobstr = new LobstrEmulator({ apiKey: 'bench-lobstr-key' });
	const hirebase = new HirebaseEmulator();
	for (const server of [hasData.server, lobstr.server]) {
		if (LATENCY_MS !== undefined) server.latencyMs = LATENCY_MS;
		server.latencyJitterMs = JITTER_MS;
	}
	await Promise.all([platform.start(), hasData.start(), lobstr.start(), hirebase.start()]);

	// `--cpu-prof=DIR`: a V8 CPU profile of every n8n process, to see where a case's time goes.
	const cpuProfileDir = arg('cpu-prof');
	const n8n = new N8n(installDir, { outputDir, port: await freePort(), distDir: DIST, env: cpuProfileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${cpuProfileDir}` } : undefined });
	await n8n.importCredentials([
		{ id: 'benchPlatform', name: 'benchPlatform', type: 'platformJobsApi', data: { baseUrl: platform.baseUrl, apiKey: platform.apiKey } },
		{ id: 'benchHasData', name: 'benchHasData', type: 'hasDataApi', data: { baseUrl: hasData.baseUrl, apiKey: hasData.apiKey, maxConcurrentRequests: 4 } },
		{ id: 'benchLobstr', name: 'benchLobstr', type: 'lobstrApi', data: { baseUrl: lobstr.baseUrl, apiKey: lobstr.apiKey } },
		{ id: 'benchHirebase', name: 'benchHirebase', type: 'hirebaseApi', data: { baseUrl: hirebase.baseUrl, apiKey: hirebase.apiKey } },
	]);

	// --- wait: 50 jobs with progress, minutes-like lengths ------------------------------
	const waitIds = Array.from({ length: WAIT_JOBS }, (_, i) => `bench_job_${i}`);
	const span = WAIT_JOBS > 1 ? WAIT_JOBS - 1 : 1;
	const waitPlan = waitIds.map((_, i) => ({ queuedMs: ((i * 7) % 6) * 1000, runMs: Math.round((WAIT_MIN_S + ((WAIT_MAX_S - WAIT_MIN_S) * ((i * 17) % WAIT_JOBS)) / span) * 1000) }));
	let waitClockStarted = false;
	const resetWaitJobs = () => {
		for (const [i, id] of waitIds.entries()) {
			platform.jobs.delete(id);
			const created = platform.createJob({ type: 'export', ...waitPlan[i] });
			const job = platform.jobs.get(created)!;
			platform.jobs.delete(created);
			job.id = id;
			platform.jobs.set(id, job);
		}
		waitClockStarted = false;
	};
	// The jobs start when the workflow first asks about one (n8n's start-up is not the jobs' time).
	const platformGuard = platform.server.guard!;
	platform.server.guard = (req) => {
		if (DEBUG) log('platform', `${req.method} ${req.path}`);
		if (!waitClockStarted && req.path.includes('/jobs/bench_job_')) {
			waitClockStarted = true;
			for (const id of waitIds) platform.jobs.get(id)!.createdAt = Date.now();
		}
		return platformGuard(req);
	};
	const idsCode = `return ${JSON.stringify(waitIds)}.map((id) => ({ json: { id } }));`;
	const auth = header('Authorization', `Bearer ${platform.apiKey}`);
	const workflows = [
		workflow('benchFloor000001', 'bench: floor', [
			manual(),
			// Longer than n8n's start-up growth (see floorOf); a Wait under 65 s stays in memory, no parking.
			{ name: 'Nothing', type: 'n8n-nodes-base.wait', typeVersion: 1.1, parameters: { amount: FLOOR_WAIT_S, unit: 'seconds' } },
		]),
		workflow('benchWaitPkg0001', 'bench: wait (package)', [
			manual(),
			code('Job IDs', idsCode),
			{
				name: 'Wait for Jobs',
				type: 'n8n-nodes-async-jobs.platformJobs',
				typeVersion: 1,
				parameters: { resource: 'job', operation: 'waitForCompletion', jobId: '={{ $json.id }}', pollInterval: POLL_S, timeout: 900 },
				credentials: creds('platformJobsApi', 'benchPlatform'),
			},
		]),
		workflow(
			'benchWaitDiy0001',
			'bench: wait (hand-built loop)',
			[
				manual(),
				code('Job IDs', idsCode),
				httpGet('Get Job', `=${platform.baseUrl}/jobs/{{ $json.id ?? $json.data.id }}`, auth),
				{
					name: 'Done?',
					type: 'n8n-nodes-base.if',
					typeVersion: 2,
					parameters: {
						conditions: {
							options: { caseSensitive: true, leftValue: '', typeValidation: 'loose' },
							conditions: [
								{
									id: 'done',
									leftValue: "={{ ['completed', 'failed', 'cancelled'].includes($json.data.status) }}",
									rightValue: '',
									operator: { type: 'boolean', operation: 'true', singleValue: true },
								},
							],
							combinator: 'and',
						},
						options: {},
					},
				},
				{ name: 'Finished', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
				{ name: 'Wait', type: 'n8n-nodes-base.wait', typeVersion: 1.1, parameters: { amount: POLL_S, unit: 'seconds' } },
			],
			[
				['Start', 0, 'Job IDs'],
				['Job IDs', 0, 'Get Job'],
				['Get Job', 0, 'Done?'],
				['Done?', 0, 'Finished'],
				['Done?', 1, 'Wait'],
				['Wait', 0, 'Get Job'],
			],
		),
	];

	// --- HasData: 10,000 rows (100 pages) -------------------------------------------------
	const HASDATA_ROWS = 10_000;
	const hasDataJob = hasData.createJob({ queuedMs: 0, runMs: 0, rows: HASDATA_ROWS });
	workflows.push(
		workflow('benchHasDataPkg1', 'bench: HasData rows (package)', [
			manual(),
			{
				name: 'Get Results',
				type: 'n8n-nodes-async-jobs.hasData',
				typeVersion: 1,
				parameters: { resource: 'job', operation: 'getResults', jobId: hasDataJob, returnAll: true },
				credentials: creds('hasDataApi', 'benchHasData'),
			},
		]),
		workflow('benchHasDataDiy1', 'bench: HasData rows (hand-built pagination)', [
			manual(),
			paginated('Get Pages', `${hasData.baseUrl}/scrapers/jobs/${hasDataJob}/results`, header('x-api-key', hasData.apiKey), { limit: '100' }, '!$response.body.meta.nextPageUrl'),
			{ name: 'Rows', type: 'n8n-nodes-base.splitOut', typeVersion: 1, parameters: { fieldToSplitOut: 'data', options: {} } },
		]),
	);

	// --- Lobstr: 2,000 rows at 2 requests/s ---------------------------------------------
	const LOBSTR_ROWS = 2000;
	const squid = lobstr.addSquid('bench');
	const lobstrRun = lobstr.addRun(squid, { pendingMs: 0, runningMs: 0, uploadingMs: 0, rows: LOBSTR_ROWS }, Date.now() - 60_000);
	workflows.push(
		workflow('benchLobstrPkg01', 'bench: Lobstr rows (package)', [
			manual(),
			{
				name: 'Get Results',
				type: 'n8n-nodes-async-jobs.lobstr',
				typeVersion: 1,
				parameters: { resource: 'result', operation: 'getResults', source: 'run', runId: lobstrRun, returnAll: true },
				credentials: creds('lobstrApi', 'benchLobstr'),
			},
		]),
		workflow('benchLobstrDiy01', 'bench: Lobstr rows (hand-built pagination, 500 ms apart)', [
			manual(),
			paginated('Get Pages', `${lobstr.baseUrl}/results`, header('Authorization', `Token ${lobstr.apiKey}`), { run: lobstrRun, limit: '100' }, '!$response.body.next', 500),
			{ name: 'Rows', type: 'n8n-nodes-base.splitOut', typeVersion: 1, parameters: { fieldToSplitOut: 'data', options: {} } },
		]),
	);

	// --- Hirebase: 100,000-record exports, and a 1,000,000-record one --------------------
	const hirebaseTask = (id: string, records: number, format: 'json' | 'csv') => finishedHirebaseExport(hirebase, id, records, format);
	const HB = 100_000;
	const csvTask = hirebaseTask('bench-hb-csv-100k', HB, 'csv');
	const jsonlTask = hirebaseTask('bench-hb-jsonl-100k', HB, 'json');
	const hbAuth = header('x-api-key', hirebase.apiKey);
	const hbPackage = (id: string, name: string, taskId: string, resultOptions: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
		workflow(id, name, [
			manual(),
			{
				name: 'Get Results',
				type: 'n8n-nodes-async-jobs.hirebase',
				typeVersion: 1,
				parameters: { resource: 'task', operation: 'getResults', taskId, resultOptions, ...extra },
				credentials: creds('hirebaseApi', 'benchHirebase'),
			},
		]);
	const hbTaskRead = (taskId: string) => httpGet('Get Task', `${hirebase.baseUrl}/v2/tasks/${taskId}`, hbAuth);
	workflows.push(
		hbPackage('benchHbCsvPkg001', 'bench: Hirebase CSV (package)', csvTask),
		workflow('benchHbCsvDiy001', 'bench: Hirebase CSV (hand-built)', [
			manual(),
			hbTaskRead(csvTask),
			httpGet('Download', '={{ $json.result.download_url }}', {}, { response: { response: { responseFormat: 'file' } } }),
			{ name: 'Rows', type: 'n8n-nodes-base.extractFromFile', typeVersion: 1, parameters: { operation: 'csv', options: {} } },
		]),
		hbPackage('benchHbJslPkg001', 'bench: Hirebase JSONL (package)', jsonlTask),
		workflow('benchHbJslDiy001', 'bench: Hirebase JSONL (hand-built)', [
			manual(),
			hbTaskRead(jsonlTask),
			httpGet('Download', '={{ $json.result.download_url }}', {}, { response: { response: { responseFormat: 'text', outputPropertyName: 'data' } } }),
			code('Rows', "return $input.first().json.data.split('\\n').filter((l) => l.trim()).map((l) => ({ json: JSON.parse(l) }));"),
		]),
	);
	const BIG = Number(arg('big') ?? 1_000_000);
	const bigTask = ONLY && !ONLY.includes('bigfile') ? '' : hirebaseTask('bench-hb-jsonl-1m', BIG, 'json');
	if (bigTask) {
		workflows.push(
			hbPackage('benchHbBigPkg001', 'bench: Hirebase 1M as file (package)', bigTask, { outputAsFile: true }),
			workflow('benchHbBigDiy001', 'bench: Hirebase 1M as file (hand-built)', [
				manual(),
				hbTaskRead(bigTask),
				httpGet('Download', '={{ $json.result.download_url }}', {}, { response: { response: { responseFormat: 'file' } } }),
			]),
			hbPackage('benchHbLimPkg001', 'bench: Hirebase 1M, Limit 100 (package)', bigTask, {}, { returnAll: false, limit: 100 }),
		);
	}

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-jobs-bench-wf-'));
	for (const wf of workflows) fs.writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify(wf));
	// One CLI call for all of them (each n8n CLI call starts n8n).
	await n8n.cliOk(['import:workflow', '--separate', `--input=${dir}`]);

	const all = (emulator: { server: { requests: unknown[] } }) => () => emulator.server.requests.length;
	const hirebaseRequests = () => hirebase.api.requests.length + hirebase.storage.requests.length;
	const waitLatency: number[] = [];
	const cases: Case[] = [
		{
			key: 'wait',
			title: `wait on ${WAIT_JOBS} jobs (${WAIT_MIN_S}–${WAIT_MAX_S} s + 0–5 s queued, with progress), ${POLL_S} s poll`,
			variants: [
				{ label: 'package: Wait for Completion', workflowId: 'benchWaitPkg0001', itemsNode: 'Wait for Jobs', expectItems: WAIT_JOBS },
				{ label: 'hand-built: HTTP Request → IF → Wait loop', workflowId: 'benchWaitDiy0001', itemsNode: 'Finished', expectItems: WAIT_JOBS },
			],
			countRequests: all(platform),
			prepare: () => resetWaitJobs(),
			after: (_, m) => {
				// How long after each job's end its finish was first seen (the first read at or after it).
				const late: number[] = [];
				for (const id of waitIds) {
					const job = platform.jobs.get(id)!;
					const end = job.createdAt + job.plan.queuedMs + job.plan.runMs;
					const seen = platform.server.requests.find((r) => r.path.endsWith(`/jobs/${id}`) && r.at >= end);
					if (seen) late.push(seen.at - end);
				}
				late.sort((a, b) => a - b);
				m.extra['detection p50/max (s)'] = `${(late[Math.floor(late.length / 2)] / 1000).toFixed(1)}/${(late[late.length - 1] / 1000).toFixed(1)}`;
				waitLatency.push(late[late.length - 1]);
			},
		},
		{
			key: 'hasdata',
			title: `HasData ${HASDATA_ROWS.toLocaleString('en')} rows (${HASDATA_ROWS / 100} pages)`,
			variants: [
				{ label: 'package: Get Results', workflowId: 'benchHasDataPkg1', itemsNode: 'Get Results', expectItems: HASDATA_ROWS },
				{ label: 'hand-built: HTTP Request pagination → Split Out', workflowId: 'benchHasDataDiy1', itemsNode: 'Rows', expectItems: HASDATA_ROWS },
			],
			countRequests: all(hasData),
			after: (_, m) => {
				// How much of the wall time the paging itself took (first request to last answer start).
				const times = hasData.server.requests.slice(-m.requests).map((r) => r.at);
				m.extra['paging s'] = ((times[times.length - 1] - times[0]) / 1000).toFixed(2);
			},
		},
		{
			key: 'lobstr',
			title: `Lobstr ${LOBSTR_ROWS.toLocaleString('en')} rows, /results limited to 2 req/s`,
			variants: [
				{ label: 'package: Get Results', workflowId: 'benchLobstrPkg01', itemsNode: 'Get Results', expectItems: LOBSTR_ROWS },
				{ label: 'hand-built: pagination, 500 ms interval', workflowId: 'benchLobstrDiy01', itemsNode: 'Rows', expectItems: LOBSTR_ROWS },
			],
			countRequests: all(lobstr),
			prepare: () => (lobstr.limits.results.rejected = 0),
			after: (_, m) => {
				const times = lobstr.server.requests.filter((r) => r.path.endsWith('/results')).slice(-m.requests).map((r) => r.at);
				const perSecond = times.length > 1 ? (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000) : 0;
				m.extra['req/s (of 2)'] = perSecond.toFixed(2);
				m.extra['429s'] = lobstr.limits.results.rejected;
			},
		},
		{
			key: 'hirebase',
			title: `Hirebase ${HB.toLocaleString('en')} records, CSV (${(hirebase.fileOf(csvTask).length / MB).toFixed(1)} MB)`,
			variants: [
				{ label: 'package: Get Results', workflowId: 'benchHbCsvPkg001', itemsNode: 'Get Results', expectItems: HB },
				{ label: 'hand-built: HTTP Request → Extract From File', workflowId: 'benchHbCsvDiy001', itemsNode: 'Rows', expectItems: HB },
			],
			countRequests: hirebaseRequests,
		},
		{
			key: 'hirebase',
			title: `Hirebase ${HB.toLocaleString('en')} records, JSON Lines (${(hirebase.fileOf(jsonlTask).length / MB).toFixed(1)} MB)`,
			variants: [
				{ label: 'package: Get Results', workflowId: 'benchHbJslPkg001', itemsNode: 'Get Results', expectItems: HB },
				{ label: 'hand-built: HTTP Request (text) → Code', workflowId: 'benchHbJslDiy001', itemsNode: 'Rows', expectItems: HB },
			],
			countRequests: hirebaseRequests,
		},
	];
	if (bigTask) {
		const bytesRead = (m: Measure) => {
			const sent = hirebase.storage.requests.filter((r) => r.path.includes(bigTask)).pop()?.bytesSent ?? 0;
			m.extra['MB downloaded'] = (sent / MB).toFixed(1);
		};
		cases.push(
			{
				key: 'bigfile',
				title: `Hirebase ${BIG.toLocaleString('en')} records as a file (${(hirebase.fileOf(bigTask).length / MB).toFixed(0)} MB JSON Lines)`,
				variants: [
					{ label: 'package: Get Results, Output as File', workflowId: 'benchHbBigPkg001', itemsNode: 'Get Results', expectItems: 1 },
					{ label: 'hand-built: HTTP Request, response as file', workflowId: 'benchHbBigDiy001', itemsNode: 'Download', expectItems: 1 },
				],
				countRequests: hirebaseRequests,
				after: (_, m) => bytesRead(m),
			},
			{
				key: 'bigfile',
				title: `Hirebase ${BIG.toLocaleString('en')} records, Limit 100`,
				variants: [{ label: 'package: Get Results, Limit 100', workflowId: 'benchHbLimPkg001', itemsNode: 'Get Results', expectItems: 100 }],
				countRequests: hirebaseRequests,
				after: (_, m) => bytesRead(m),
			},
		);
	}

	// --- run ------------------------------------------------------------------------------
	const floorRuns: Measure[] = [];
	for (let r = 0; r < Math.max(2, RUNS); r++) floorRuns.push(await execute(n8n, 'benchFloor000001', () => 0, 'Nothing'));
	const floorAt = floorOf(floorRuns);
	const floor = median(floorRuns.map((f) => f.peakMb));
	const floorEarly = floorAt(5000) / MB;
	log('bench', `n8n floor (a workflow that waits ${FLOOR_WAIT_S} s): ${floorEarly.toFixed(0)} MB 5 s after spawn, ${floor.toFixed(0)} MB at the end (runs: ${floorRuns.map((f) => f.peakMb.toFixed(0)).join(', ')})`);

	const rows: string[][] = [];
	for (const c of cases) {
		if (ONLY && !ONLY.includes(c.key)) continue;
		const measured = new Map<Variant, Measure[]>();
		for (let r = 0; r < RUNS; r++) {
			// Alternate which variant goes first, so warm caches and load favour neither.
			const order = r % 2 === 0 ? c.variants : [...c.variants].reverse();
			for (const v of order) {
				if (VARIANT && !v.label.startsWith(VARIANT)) continue;
				c.prepare?.(v);
				const m = await execute(n8n, v.workflowId, c.countRequests, v.itemsNode);
				c.after?.(v, m);
				if (m.items !== -1 && m.items !== v.expectItems) throw new Error(`${v.label}: expected ${v.expectItems} items from "${v.itemsNode}", got ${m.items}`);
				log('bench', `${c.title} — ${v.label}: ${(m.wallMs / 1000).toFixed(2)} s, ${m.requests} requests, peak +${overFloorMb(m, floorAt).toFixed(0)} MB ${JSON.stringify(m.extra)}`);
				measured.set(v, [...(measured.get(v) ?? []), m]);
			}
		}
		const summary = c.variants.filter((v) => measured.has(v)).map((v) => {
			const ms = measured.get(v)!;
			const extras = Object.keys(ms[0].extra).map((k) => `${k} ${ms.map((m) => m.extra[k]).join(' ')}`);
			return { v, wall: median(ms.map((m) => m.wallMs)), requests: median(ms.map((m) => m.requests)), over: median(ms.map((m) => overFloorMb(m, floorAt))), extras };
		});
		const hand = summary[1];
		for (const s of summary) {
			const ratio = (a: number, b: number) => (hand && s !== hand && b > 0 ? `${(a / b).toFixed(2)}×` : '');
			rows.push([
				c.title,
				s.v.label,
				`${(s.wall / 1000).toFixed(2)} s`,
				String(Math.round(s.requests)),
				`+${s.over.toFixed(0)} MB`,
				ratio(s.wall, hand?.wall ?? 0),
				ratio(s.requests, hand?.requests ?? 0),
				ratio(Math.max(1, s.over), Math.max(1, hand?.over ?? 0)),
				s.extras.join('; '),
			]);
		}
	}
	await Promise.all([platform.stop(), hasData.stop(), lobstr.stop(), hirebase.stop()]);

	const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
	console.log(`\n## Benchmark in real n8n ${N8N_VERSION} — ${LABEL}`);
	const network = LATENCY_MS === undefined && !JITTER_MS ? 'HasData/Lobstr answer on 127.0.0.1' : `HasData/Lobstr requests delayed ${hasData.server.latencyMs}–${hasData.server.latencyMs + JITTER_MS} ms`;
	console.log(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${os.cpus().length} × ${cpu} · ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM · ${network} · ` + `load ${os.loadavg()[0].toFixed(1)} · medians of ${RUNS} runs each, alternating · n8n floor ${floorEarly.toFixed(0)}–${floor.toFixed(0)} MB (5 s after spawn – settled)\n`);
	const head = ['case', 'workflow', 'wall', 'requests', 'peak memory over floor', 'wall ratio', 'requests ratio', 'memory ratio', 'per run'];
	console.log(`| ${head.join(' | ')} |`);
	console.log(`|${head.map(() => '---').join('|')}|`);
	for (const row of rows) console.log(`| ${row.join(' | ')} |`);
	console.log('\nRatios are package ÷ hand-built.');
	fs.rmSync(dir, { recursive: true, force: true });
	fs.rmSync(n8n.runDir, { recursive: true, force: true });
	fs.rmSync(outputDir, { recursive: true, force: true });
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});

