import type { INodeProperties } from 'n8n-workflow';

/** `displayOptions.show` for the fields of one or more operations. */
export type Show = Record<string, Array<string | boolean>>;

export function idField(name: string, displayName: string, description: string, show: Show, placeholder = ''): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		required: true,
		default: '',
		placeholder,
		description,
		displayOptions: { show },
	};
}

/** "Wait for Completion" switch for operations that start work. */
export function waitForCompletionToggle(show: Show, what = 'job'): INodeProperties {
	return {
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description: `Whether to wait until the new ${what} finishes before continuing. This holds the execution while it waits: for ${what}s of hours, leave this off and follow the ${what} with "Check Status and Route" in a loop with a Wait node.`,
		displayOptions: { show },
	};
}

/** Poll interval, timeout and the outcome options of every waiting operation. */
export function waitFields(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			default: 10,
			// No numberPrecision: with it n8n shows the default as "10.0"; decimals are still accepted.
			typeOptions: { minValue: 0.5 },
			description: 'How often to check the job. Every waiting item is checked in the same round, so the interval applies to all of them.',
			displayOptions: { show },
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			default: 600,
			typeOptions: { minValue: 1 },
			description: 'The longest time to wait. A waiting node holds the execution (in queue mode, a worker): for jobs of hours, use "Check Status and Route" in a loop with a Wait node instead.',
			displayOptions: { show },
		},
		{
			displayName: 'Wait Options',
			name: 'waitOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show },
			options: [
				{
					displayName: 'Back Off',
					name: 'backoff',
					type: 'boolean',
					default: false,
					description: 'Whether to check less often the longer a job runs (each interval 1.5× the last, up to the Max Poll Interval)',
				},
				{
					displayName: 'Max Poll Interval (Seconds)',
					name: 'maxPollInterval',
					type: 'number',
					default: 60,
					typeOptions: { minValue: 1 },
					description: 'The longest gap between two reads of one job, with Back Off or Read by Progress',
				},
				{
					displayName: 'On Failed or Cancelled Job',
					name: 'onJobFailure',
					type: 'options',
					default: 'error',
					options: [
						{ name: 'Fail the Item', value: 'error', description: 'Stop with an error (or an error item, with "Continue on Fail")' },
						{ name: 'Output the Job', value: 'output', description: 'Pass the job on with its status, for an IF node to route' },
					],
				},
				{
					displayName: 'On Timeout',
					name: 'onTimeout',
					type: 'options',
					default: 'error',
					options: [
						{ name: 'Fail the Item', value: 'error', description: 'Stop with an error (or an error item, with "Continue on Fail")' },
						{ name: 'Output Last State', value: 'output', description: 'Pass the job on as last seen, with timedOut set to true' },
					],
				},
				{
					displayName: 'Read by Progress',
					name: 'readByProgress',
					type: 'boolean',
					default: true,
					description:
						'Whether a job that reports its progress is read less often while it is far from done (halfway to its projected finish, up to the Max Poll Interval) and every Poll Interval near the end. Jobs without progress are read every Poll Interval. Saves requests without noticing the finish later.',
				},
			],
		},
	];
}

/** Return All / Limit for operations that output rows. */
export function returnAllAndLimit(show: Show, what = 'rows', returnAllByDefault = false): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	]
		.map((p) => (p.name === 'limit' ? { ...p, hint: `Up to this many ${what}, one item each` } : p))
		.map((p) => (p.name === 'returnAll' && returnAllByDefault ? { ...p, default: true } : p)) as INodeProperties[];
}

/** The outcomes a trigger can fire on, with the action n8n's node panel lists for each. */
const OUTCOMES: Array<{ name: string; value: string; description: string; action: (noun: string) => string }> = [
	{ name: 'Any Final State', value: 'any', description: 'Succeeded, failed or cancelled', action: (noun) => `On ${noun} finished` },
	{ name: 'Cancelled', value: 'cancelled', description: 'Stopped or aborted before it finished', action: (noun) => `On ${noun} cancelled` },
	{ name: 'Failed', value: 'failed', description: 'Ended with an error', action: (noun) => `On ${noun} failed` },
	{ name: 'Failed or Cancelled', value: 'failedOrCancelled', description: 'Did not succeed, for whatever reason', action: (noun) => `On ${noun} failed or cancelled` },
	{ name: 'Succeeded', value: 'succeeded', description: 'Finished and has its results', action: (noun) => `On ${noun} succeeded` },
];

/**
 * The trigger's outcome filter. n8n's node panel makes one action per option of a
 * trigger's parameter named "Trigger On" (or "Event"), so each outcome is listed
 * there as its own entry; the noun is what the provider calls a job.
 */
export function outcomeFieldFor(noun: string): INodeProperties {
	return {
		displayName: 'Trigger On',
		name: 'outcome',
		type: 'options',
		default: 'any',
		description: `Which final states start the workflow. A ${noun} that ends otherwise is remembered and never fires.`,
		options: OUTCOMES.map(({ name, value, description, action }) => ({ name, value, description, action: action(noun) })),
	};
}

/** The outcome filter for providers that call their work a "job". */
export const outcomeField: INodeProperties = outcomeFieldFor('job');

/** Canvas subtitle of a trigger: "on Succeeded", the label picked rather than its value. */
export const outcomeSubtitle = `={{ "on " + (${JSON.stringify(Object.fromEntries(OUTCOMES.map((o) => [o.value, o.name])))})[$parameter["outcome"] || "any"] }}`;

/**
 * Canvas subtitle of an action node: the labels the user picked ("Wait for
 * Completion", "Run → Get Results"), not the internal values n8n stores. With
 * several resources the resource's label comes first.
 */
export function operationSubtitle(properties: INodeProperties[]): string {
	const resources = (properties.find((p) => p.name === 'resource')?.options ?? []) as Array<{ name: string; value: string }>;
	const labels: Record<string, string> = {};
	for (const property of properties.filter((p) => p.name === 'operation')) {
		const forResources = (property.displayOptions?.show?.resource ?? resources.map((r) => r.value)) as string[];
		for (const option of (property.options ?? []) as Array<{ name: string; value: string }>) {
			for (const resource of forResources) {
				const resourceLabel = resources.find((r) => r.value === resource)?.name ?? resource;
				labels[`${resource}:${option.value}`] = resources.length > 1 ? `${resourceLabel} → ${option.name}` : option.name;
			}
		}
	}
	const key = '$parameter["resource"] + ":" + $parameter["operation"]';
	const wait = '($parameter["waitForCompletion"] === true ? ", then Wait" : "")';
	return `={{ ((${JSON.stringify(labels)})[${key}] || $parameter["operation"]) + ${wait} }}`;
}

/** The trigger's list of ids to watch, for providers with no list endpoint. */
export function watchedIdsField(name: string, displayName: string, description: string, placeholder = 'e.g. job_abc123, job_def456', hint?: string): INodeProperties {
	return {
		...(hint ? { hint } : {}),
		displayName,
		name,
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder,
		description: `${description} Separate IDs with commas or new lines. Each job starts the workflow once, when it finishes.`,
	};
}

/**
 * The node's outputs: two ("Finished", "Still Running") for "Check Status and
 * Route", one otherwise. n8n evaluates this expression in the editor and at run time.
 */
export const routedOutputs =
	'={{ $parameter["operation"] === "checkAndRoute" ? [{ "type": "main", "displayName": "Finished" }, { "type": "main", "displayName": "Still Running" }] : [{ "type": "main" }] }}';

/** The fields of "Check Status and Route": the job to check, when to give up, what to do with failures. */
export function checkAndRouteFields(show: Show, id: { name: string; label: string; placeholder?: string }, what = 'job'): INodeProperties[] {
	return [
		{
			displayName: `Connect "Still Running" to a Wait node (65 seconds or more) and the Wait node back to this node. n8n then parks the execution between checks: it holds no worker and survives restarts. "Finished" gets each ${what} once it is done.`,
			name: 'checkAndRouteNotice',
			type: 'notice',
			default: '',
			displayOptions: { show },
		},
		{
			displayName: id.label,
			name: id.name,
			type: 'string',
			required: true,
			default: '={{ $json.id }}',
			placeholder: id.placeholder ?? '',
			description: `The ${what} to check. The default takes the ID from the incoming item, which is what Start, Rerun and the Wait node of the loop pass on.`,
			displayOptions: { show },
		},
		{
			displayName: 'Give Up After (Hours)',
			name: 'giveUpAfterHours',
			type: 'number',
			default: 24,
			typeOptions: { minValue: 0.01, numberPrecision: 2 },
			description: `How long to keep following a ${what}, counted from its first check. The start time travels with the item round the loop, so restarts and Wait nodes do not reset it.`,
			displayOptions: { show },
		},
		{
			displayName: 'Options',
			name: 'loopOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show },
			options: [
				{
					displayName: 'On Failed or Cancelled Job',
					name: 'onJobFailure',
					type: 'options',
					default: 'error',
					description: `What to do when the ${what} ends failed or cancelled`,
					options: [
						{ name: 'Fail the Item', value: 'error', description: 'Stop with an error (or an error item, with "Continue on Fail")' },
						{ name: 'Output the Job', value: 'output', description: 'Send it to "Finished" with its status, for an IF node to route' },
					],
				},
				{
					displayName: 'On Give Up',
					name: 'onGiveUp',
					type: 'options',
					default: 'error',
					description: `What to do when the ${what} is still running after "Give Up After"`,
					options: [
						{ name: 'Fail the Item', value: 'error', description: 'Stop with an error (or an error item, with "Continue on Fail")' },
						{ name: 'Output Last State', value: 'output', description: 'Send it to "Finished" as last seen, with timedOut set to true' },
					],
				},
			],
		},
	];
}
