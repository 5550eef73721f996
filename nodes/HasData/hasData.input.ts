import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { Show } from '../shared/descriptions';
import { jsonObjectOf } from '../shared/params';

/**
 * Start's input: the main fields of the common scrapers, so a user fills in a
 * form instead of writing JSON, with "Input (JSON)" as the escape hatch for
 * every other parameter (and the whole input of a scraper not listed). The
 * keys sent are those of HasData's scraper pages (urls, maxDepth, keyword,
 * location, type, limit); keys given in the JSON win.
 */
const URL_SCRAPERS = ['crawler'];
const KEYWORD_SCRAPERS = ['google-maps', 'google-serp', 'indeed', 'yelp', 'amazon-search'];
const LISTING_SCRAPERS = ['zillow', 'redfin'];
const WITH_LIMIT = [...URL_SCRAPERS, ...KEYWORD_SCRAPERS, ...LISTING_SCRAPERS];

export function scraperInputFields(show: Show): INodeProperties[] {
	const forScrapers = (scrapers: string[]): { show: Show } => ({ show: { ...show, scraper: scrapers } });
	return [
		{
			displayName: 'URLs',
			name: 'urls',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. https://example.com',
			description: 'The pages to start crawling from, one per line or separated by commas',
			displayOptions: forScrapers(URL_SCRAPERS),
		},
		{
			displayName: 'Max Depth',
			name: 'maxDepth',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 0 },
			description: 'How many links deep to follow from each URL (0: only the URLs themselves)',
			displayOptions: forScrapers(URL_SCRAPERS),
		},
		{
			displayName: 'Keyword',
			name: 'keyword',
			type: 'string',
			default: '',
			placeholder: 'e.g. pizza',
			description: 'What to search for, as you would type it on the site',
			displayOptions: forScrapers(KEYWORD_SCRAPERS),
		},
		{
			displayName: 'Location',
			name: 'location',
			type: 'string',
			default: '',
			placeholder: 'e.g. Austin, TX',
			description: 'Where to search (leave empty for no location)',
			displayOptions: forScrapers(KEYWORD_SCRAPERS),
		},
		{
			displayName: 'Location',
			name: 'listingLocation',
			type: 'string',
			default: '',
			placeholder: 'e.g. Austin, TX',
			description: 'The city, ZIP code or address to list properties for',
			displayOptions: forScrapers(LISTING_SCRAPERS),
		},
		{
			displayName: 'Listing Type',
			name: 'listingType',
			type: 'options',
			default: 'forSale',
			options: [
				{ name: 'For Rent', value: 'forRent' },
				{ name: 'For Sale', value: 'forSale' },
				{ name: 'Sold', value: 'sold' },
			],
			description: 'Which listings to scrape',
			displayOptions: forScrapers(LISTING_SCRAPERS),
		},
		{
			displayName: 'Max Rows',
			name: 'maxRows',
			type: 'number',
			default: 100,
			typeOptions: { minValue: 1 },
			description: 'The most rows the job scrapes (HasData charges credits per row)',
			displayOptions: forScrapers(WITH_LIMIT),
		},
		{
			displayName: 'Input (JSON)',
			name: 'input',
			type: 'json',
			default: '{}',
			description:
				"Any other parameter of the scraper, as a JSON object with the names on the scraper's page at hasdata.com (for a custom or unlisted scraper, its whole input). Keys here win over the fields above.",
			hint: 'The parameters of each scraper are listed in <a href="https://docs.hasdata.com" target="_blank">HasData\'s docs</a>',
			displayOptions: { show },
		},
	];
}

/** The body of POST /scrapers/{slug}/jobs from the fields above (without the webhook). */
export function readScraperInput(ctx: IExecuteFunctions, itemIndex: number, slug: string): IDataObject {
	const json = jsonObjectOf(ctx, itemIndex, ctx.getNodeParameter('input', itemIndex, '{}'), 'Input (JSON)');
	const input: IDataObject = {};
	const param = (name: string, fallback: unknown = '') => ctx.getNodeParameter(name, itemIndex, fallback) as IDataObject[string];
	if (URL_SCRAPERS.includes(slug)) {
		const urls = listOf(param('urls'));
		if (urls.length) input.urls = urls;
		input.maxDepth = param('maxDepth', 1);
	} else if (KEYWORD_SCRAPERS.includes(slug)) {
		const keyword = String(param('keyword') ?? '').trim();
		if (keyword) input.keyword = keyword;
		const location = String(param('location') ?? '').trim();
		if (location) input.location = location;
	} else if (LISTING_SCRAPERS.includes(slug)) {
		const location = String(param('listingLocation') ?? '').trim();
		if (location) input.keyword = location;
		input.type = param('listingType', 'forSale');
	}
	if (WITH_LIMIT.includes(slug)) input.limit = param('maxRows', 100);
	// A missing required input is left to HasData, whose error names it.
	return { ...input, ...json };
}

function listOf(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
	return String(value ?? '')
		.split(/[\n,]/)
		.map((v) => v.trim())
		.filter(Boolean);
}
