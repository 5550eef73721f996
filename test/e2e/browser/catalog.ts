/**
 * What the browser test expects to see of each node and credential: names as
 * the node panel shows them, the operations a user can pick, the parameters a
 * correctly configured node shows, and its canvas subtitle.
 */

export interface NodeCase {
	/** The node's `name` (its type without the package prefix). */
	name: string;
	displayName: string;
	/** The node panel entry it is listed under (triggers merge into their app node). */
	panelEntry: string;
	trigger: boolean;
	credentialType: string;
	/** Parameters of a correctly configured node (no issues badge). */
	parameters: Record<string, unknown>;
	/** Field labels the configured node shows in its settings panel. */
	fields: string[];
	/** The Operation (or Trigger On) options, in the order shown. */
	options?: { field: string; values: string[] };
	/** The canvas subtitle of the configured node. */
	subtitle: string;
}

export const NODE_CASES: NodeCase[] = [
	{
		name: 'platformJobs',
		displayName: 'Platform Jobs',
		panelEntry: 'Platform Jobs',
		trigger: false,
		credentialType: 'platformJobsApi',
		parameters: { resource: 'job', operation: 'waitForCompletion', jobId: 'job_export_1' },
		fields: ['Resource', 'Operation', 'Job ID', 'Poll Interval (Seconds)', 'Timeout (Seconds)', 'Wait Options'],
		options: { field: 'Operation', values: ['Check Status and Route', 'Get', 'Get Result', 'Rerun', 'Wait for Completion'] },
		// Also checked: Poll Interval reads "10", and Wait Options offers Max Poll Interval only with Back Off on.
		subtitle: 'Wait for Completion',
	},
	{
		name: 'platformJobsTrigger',
		displayName: 'Platform Jobs Trigger',
		panelEntry: 'Platform Jobs',
		trigger: true,
		credentialType: 'platformJobsApi',
		parameters: { jobIds: 'job_export_1', outcome: 'succeeded' },
		fields: ['Job IDs', 'Trigger On'],
		options: { field: 'Trigger On', values: ['Any Final State', 'Cancelled', 'Failed', 'Failed or Cancelled', 'Succeeded'] },
		subtitle: 'on Succeeded',
	},
	{
		name: 'hirebase',
		displayName: 'Hirebase',
		panelEntry: 'Hirebase',
		trigger: false,
		credentialType: 'hirebaseApi',
		parameters: { resource: 'task', operation: 'createExport', format: 'csv', filters: { daysAgo: 7, jobTypes: ['Full Time'] }, waitForCompletion: true },
		fields: ['Resource', 'Operation', 'File Format', 'Search Filters', 'Wait for Completion', 'Poll Interval (Seconds)'],
		options: { field: 'Operation', values: ['Check Status and Route', 'Create Export', 'Get', 'Get Results', 'Rerun', 'Wait for Completion'] },
		subtitle: 'Create Export, then Wait',
	},
	{
		name: 'hirebaseTrigger',
		displayName: 'Hirebase Trigger',
		panelEntry: 'Hirebase',
		trigger: true,
		credentialType: 'hirebaseApi',
		parameters: { taskIds: '8107c787-16b9-4763-af74-e2c789a5169e', outcome: 'any' },
		fields: ['Task IDs', 'Trigger On'],
		options: { field: 'Trigger On', values: ['Any Final State', 'Cancelled', 'Failed', 'Failed or Cancelled', 'Succeeded'] },
		subtitle: 'on Any Final State',
	},
	{
		name: 'lobstr',
		displayName: 'Lobstr',
		panelEntry: 'Lobstr',
		trigger: false,
		credentialType: 'lobstrApi',
		parameters: { resource: 'result', operation: 'getResults', source: 'run', runId: '6f2a1c0e9b8d4f3a8c7b6e5d4c3b2a19', returnAll: true },
		fields: ['Resource', 'Operation', 'Results Of', 'Run ID', 'Return All'],
		subtitle: 'Result → Get Results',
	},
	{
		name: 'lobstrTrigger',
		displayName: 'Lobstr Trigger',
		panelEntry: 'Lobstr',
		trigger: true,
		credentialType: 'lobstrApi',
		parameters: { watch: 'all', outcome: 'failed' },
		fields: ['Watch', 'Trigger On'],
		subtitle: 'on Failed',
	},
	{
		name: 'hasData',
		displayName: 'HasData',
		panelEntry: 'HasData',
		trigger: false,
		credentialType: 'hasDataApi',
		parameters: { resource: 'job', operation: 'start', scraper: 'crawler', urls: 'https://example.com', maxRows: 25 },
		fields: ['Resource', 'Operation', 'Scraper', 'URLs', 'Max Depth', 'Max Rows', 'Input (JSON)', 'Webhook', 'Wait for Completion'],
		options: { field: 'Operation', values: ['Check Status and Route', 'Download File', 'Get', 'Get Results', 'Rerun', 'Start', 'Stop', 'Wait for Completion'] },
		subtitle: 'Start',
	},
	{
		name: 'hasDataTrigger',
		displayName: 'HasData Trigger',
		panelEntry: 'HasData',
		trigger: true,
		credentialType: 'hasDataApi',
		parameters: { jobIds: '1284503', outcome: 'succeeded' },
		fields: ['Job IDs', 'Trigger On'],
		subtitle: 'on Succeeded',
	},
	{
		name: 'hasDataWebhookTrigger',
		displayName: 'HasData Webhook Trigger',
		// n8n lists a trigger-only node that has actions without its " Trigger".
		panelEntry: 'HasData Webhook',
		trigger: true,
		credentialType: 'hasDataApi',
		parameters: { fetchJob: true, outcome: 'any' },
		fields: ['Fetch Job', 'Trigger On'],
		subtitle: 'on Any Final State',
	},
];

/** The node panel entries: each app node with the trigger actions merged into it. */
export const PANEL_ENTRIES = [...new Set(NODE_CASES.map((c) => c.panelEntry))];

/** Trigger actions n8n's node panel must list for an entry (one per outcome). */
export function triggerActionsFor(entry: string): string[] {
	const trigger = NODE_CASES.find((c) => c.panelEntry === entry && c.trigger);
	if (!trigger) return [];
	const noun = entry === 'Hirebase' ? 'task' : entry === 'Lobstr' ? 'run' : 'job';
	return ['finished', 'cancelled', 'failed', 'failed or cancelled', 'succeeded'].map((o) => `On ${noun} ${o}`);
}
