import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { Show } from '../shared/descriptions';
import { jsonObjectOf } from '../shared/params';
import { EXPORT_FORMATS } from './hirebase.adapter';

const CUSTOM_VALUES = 'Not listed? Switch the field to Expression and give a list, e.g. {{ ["Seasonal"] }}';

// The values Hirebase's job data uses (its search page and the API's examples,
// e.g. job_types ["Full Time"], industry ["Design", "Construction"]).
const JOB_TYPES = ['Contract', 'Full Time', 'Internship', 'Part Time', 'Temporary', 'Volunteer'].map(option);
const EXPERIENCE_LEVELS = ['Entry Level', 'Executive', 'Internship', 'Mid Level', 'Senior Level'].map(option);
const INDUSTRIES = [
	'Construction',
	'Consulting',
	'Design',
	'Education',
	'Energy',
	'Finance',
	'Government',
	'Healthcare',
	'Hospitality',
	'Insurance',
	'Legal',
	'Logistics',
	'Manufacturing',
	'Marketing',
	'Media',
	'Nonprofit',
	'Real Estate',
	'Retail',
	'Technology',
	'Telecommunications',
].map(option);

function option(value: string): { name: string; value: string } {
	return { name: value, value };
}

/** What an export holds when the node is not told otherwise. */
export const DEFAULT_MAX_RECORDS = 100;

/** The fields of "Create Export": format, size, the common search filters, raw JSON filters. */
export function exportFields(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Max Records',
			name: 'maxRecords',
			type: 'number',
			default: DEFAULT_MAX_RECORDS,
			typeOptions: { minValue: 1, numberPrecision: 0 },
			description:
				'How many job postings the export holds at most. Hirebase sizes and bills an export by this number (sent as "limit" in the search).',
			hint: 'Hirebase bills exports per record. Without a limit the API exports only 10 (its default); it publishes no upper bound, your plan\'s export allowance applies.',
			displayOptions: { show },
		},
		{
			displayName: 'File Format',
			name: 'format',
			type: 'options',
			default: 'json',
			description: 'The format Hirebase writes the export file in. Get Results reads both.',
			options: [
				{ name: 'CSV', value: 'csv' },
				{ name: 'JSON', value: 'json' },
			],
			displayOptions: { show },
		},
		{
			displayName: 'Search Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			description: 'Which jobs to export. Filters left out do not restrict the search.',
			hint: 'With no filter added, the search matches every job Hirebase has and the export is any Max Records of them: add at least one filter (e.g. Days Ago or Job Titles)',
			displayOptions: { show },
			options: [
				{
					displayName: 'Additional Filters (JSON)',
					name: 'additionalFilters',
					type: 'json',
					default: '{}',
					description:
						'Any other Hirebase search filter, as a JSON object with the API\'s own names, e.g. {"salary": {"min": 80000}, "visa": "true"}. These win over the filters above.',
					hint: 'The filter names are listed in <a href="https://docs.hirebase.org" target="_blank">Hirebase\'s API docs</a> (job search)',
				},
				{
					displayName: 'Company Name',
					name: 'companyName',
					type: 'string',
					default: '',
					placeholder: 'e.g. Acme',
					description: 'Only jobs of this company',
				},
				{
					displayName: 'Days Ago',
					name: 'daysAgo',
					type: 'number',
					default: 7,
					typeOptions: { minValue: 1 },
					description: 'Only jobs posted within this many days',
				},
				{
					displayName: 'Experience Levels',
					name: 'experience',
					type: 'multiOptions',
					default: [],
					options: EXPERIENCE_LEVELS,
					description: 'Experience levels to include',
					hint: CUSTOM_VALUES,
				},
				{
					displayName: 'Industries',
					name: 'industry',
					type: 'multiOptions',
					default: [],
					options: INDUSTRIES,
					description: 'Industries to include',
					hint: CUSTOM_VALUES,
				},
				{
					displayName: 'Job Titles',
					name: 'jobTitles',
					type: 'string',
					default: '',
					placeholder: 'e.g. Software Engineer, Data Analyst',
					description: 'Job titles to search for, separated by commas. For a title that contains a comma, use the filter "Additional Filters (JSON)".',
				},
				{
					displayName: 'Job Types',
					name: 'jobTypes',
					type: 'multiOptions',
					default: [],
					options: JOB_TYPES,
					description: 'Employment types to include',
					hint: CUSTOM_VALUES,
				},
				{
					displayName: 'Keywords',
					name: 'keywords',
					type: 'string',
					default: '',
					placeholder: 'e.g. python, kubernetes',
					description: 'Words the job must mention, separated by commas',
				},
				{
					displayName: 'Location Types',
					name: 'locationTypes',
					type: 'multiOptions',
					default: [],
					description: 'Where the work happens',
					hint: CUSTOM_VALUES,
					options: [
						{ name: 'Hybrid', value: 'Hybrid' },
						{ name: 'In-Person', value: 'In-Person' },
						{ name: 'Remote', value: 'Remote' },
					],
				},
				{
					displayName: 'Locations',
					name: 'locations',
					type: 'fixedCollection',
					typeOptions: { multipleValues: true },
					default: {},
					placeholder: 'Add Location',
					description: 'Places to search in. Leave a part empty to not restrict it (e.g. only a country).',
					options: [
						{
							displayName: 'Location',
							name: 'location',
							values: [
								{ displayName: 'City', name: 'city', type: 'string', default: '', placeholder: 'e.g. Richmond', description: 'City name' },
								{ displayName: 'Region', name: 'region', type: 'string', default: '', placeholder: 'e.g. Virginia', description: 'State, province or region' },
								{ displayName: 'Country', name: 'country', type: 'string', default: '', placeholder: 'e.g. United States', description: 'Country name' },
							],
						},
					],
				},
				{
					displayName: 'Max Years of Experience',
					name: 'yoeMax',
					type: 'number',
					default: 5,
					typeOptions: { minValue: 0 },
					description: 'Only jobs asking for at most this many years of experience',
				},
				{
					displayName: 'Min Years of Experience',
					name: 'yoeMin',
					type: 'number',
					default: 0,
					typeOptions: { minValue: 0 },
					description: 'Only jobs asking for at least this many years of experience',
				},
			],
		},
	];
}

/** Builds the `search` object of one item's export from its fields. */
export function buildSearch(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const filters = ctx.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const search: IDataObject = {};
	const lists: Array<[string, string, string]> = [
		['jobTitles', 'job_titles', 'Job Titles'],
		['keywords', 'keywords', 'Keywords'],
		['jobTypes', 'job_types', 'Job Types'],
		['experience', 'experience', 'Experience Levels'],
		['industry', 'industry', 'Industries'],
	];
	for (const [field, apiName, label] of lists) {
		const values = listOf(ctx, itemIndex, filters[field], label);
		if (values.length) search[apiName] = values;
	}
	const locationTypes = listOf(ctx, itemIndex, filters.locationTypes, 'Location Types');
	if (locationTypes.length) search.location_types = locationTypes;

	const locations = ((filters.locations as IDataObject | undefined)?.location ?? []) as IDataObject[];
	const geo = locations
		.map((l) => {
			const place: IDataObject = {};
			for (const key of ['city', 'region', 'country']) {
				const value = String(l[key] ?? '').trim();
				if (value) place[key] = value;
			}
			return place;
		})
		.filter((place) => Object.keys(place).length > 0);
	if (geo.length) search.geo_locations = geo;

	const company = String(filters.companyName ?? '').trim();
	if (company) search.company_name = company;

	if (filters.daysAgo !== undefined && filters.daysAgo !== '') {
		search.days_ago = wholeNumber(ctx, itemIndex, filters.daysAgo, 'Days Ago', 1);
	}
	const hasMin = filters.yoeMin !== undefined && filters.yoeMin !== '';
	const hasMax = filters.yoeMax !== undefined && filters.yoeMax !== '';
	if (hasMin || hasMax) {
		const yoe: IDataObject = {};
		if (hasMin) yoe.min = numberAtLeast(ctx, itemIndex, filters.yoeMin, 'Min Years of Experience', 0);
		if (hasMax) yoe.max = numberAtLeast(ctx, itemIndex, filters.yoeMax, 'Max Years of Experience', 0);
		if (hasMin && hasMax && (yoe.min as number) > (yoe.max as number)) {
			throw new NodeOperationError(
				ctx.getNode(),
				`"Min Years of Experience" (${yoe.min}) is greater than "Max Years of Experience" (${yoe.max}) in item ${itemIndex}`,
				{ itemIndex },
			);
		}
		search.yoe = yoe;
	}

	search.limit = readMaxRecords(ctx, itemIndex);

	const extra = jsonObjectOf(ctx, itemIndex, filters.additionalFilters, 'Additional Filters (JSON)');
	return { ...search, ...extra };
}

/** "Max Records": a whole number of at least 1, sent as the search's `limit` (the export's size). */
export function readMaxRecords(ctx: IExecuteFunctions, itemIndex: number): number {
	const value = ctx.getNodeParameter('maxRecords', itemIndex, DEFAULT_MAX_RECORDS) as unknown;
	const n = typeof value === 'number' ? value : Number(String(value ?? '').trim());
	if (value === '' || value === null || !Number.isInteger(n) || n < 1) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "Max Records" must be a whole number of at least 1, but item ${itemIndex} gave "${String(value)}"`, {
			itemIndex,
			description: 'Enter how many job postings the export should hold, e.g. 100. Hirebase bills exports per record.',
		});
	}
	return n;
}

export function readFormat(ctx: IExecuteFunctions, itemIndex: number): string {
	const format = String(ctx.getNodeParameter('format', itemIndex, 'json') ?? '').trim().toLowerCase();
	if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
		throw new NodeOperationError(ctx.getNode(), `The parameter "File Format" must be "json" or "csv", but item ${itemIndex} gave "${format}"`, {
			itemIndex,
		});
	}
	return format;
}

/** A list given as "a, b" text, new lines, or an array from an expression. */
function listOf(ctx: IExecuteFunctions, itemIndex: number, value: unknown, label: string): string[] {
	if (value === undefined || value === null || value === '') return [];
	if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
	if (typeof value === 'string') return value.split(/[,\n]/).map((v) => v.trim()).filter(Boolean);
	throw new NodeOperationError(ctx.getNode(), `The filter "${label}" must be text or a list, but item ${itemIndex} gave ${typeof value}`, {
		itemIndex,
		description: 'Separate values with commas, e.g. "Software Engineer, Data Analyst".',
	});
}

function numberAtLeast(ctx: IExecuteFunctions, itemIndex: number, value: unknown, label: string, min: number): number {
	const n = typeof value === 'number' ? value : Number(String(value).trim());
	if (!Number.isFinite(n) || n < min) {
		throw new NodeOperationError(ctx.getNode(), `The filter "${label}" must be a number of at least ${min}, but item ${itemIndex} gave "${String(value)}"`, {
			itemIndex,
		});
	}
	return n;
}

function wholeNumber(ctx: IExecuteFunctions, itemIndex: number, value: unknown, label: string, min: number): number {
	const n = numberAtLeast(ctx, itemIndex, value, label, min);
	if (!Number.isInteger(n)) {
		throw new NodeOperationError(ctx.getNode(), `The filter "${label}" must be a whole number, but item ${itemIndex} gave ${n}`, { itemIndex });
	}
	return n;
}
