import type { INodePropertyOptions } from 'n8n-workflow';

export const FILE_FORMATS = ['csv', 'json', 'xlsx'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const WEBHOOK_EVENTS = ['scraper.job.started', 'scraper.job.finished', 'scraper.data.scraped'] as const;

export const WEBHOOK_EVENT_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Data Scraped', value: 'scraper.data.scraped', description: 'New rows were scraped (event scraper.data.scraped, may be sent many times)' },
	{ name: 'Job Finished', value: 'scraper.job.finished', description: 'The job ended: finished, stopped or failed (event scraper.job.finished)' },
	{ name: 'Job Started', value: 'scraper.job.started', description: 'The job began running (event scraper.job.started)' },
];

/**
 * Scraper slugs known from HasData's docs (POST /scrapers/{slug}/jobs). Any
 * other scraper works through "Custom Slug".
 */
export const SCRAPER_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Amazon Product', value: 'amazon-product' },
	{ name: 'Amazon Search', value: 'amazon-search' },
	{ name: 'Custom Slug', value: 'custom', description: 'Type the slug of any other HasData scraper' },
	{ name: 'Google Maps', value: 'google-maps' },
	{ name: 'Google SERP', value: 'google-serp' },
	{ name: 'Indeed', value: 'indeed' },
	{ name: 'Redfin', value: 'redfin' },
	{ name: 'Web Crawler', value: 'crawler' },
	{ name: 'Yelp', value: 'yelp' },
	{ name: 'Zillow', value: 'zillow' },
];
