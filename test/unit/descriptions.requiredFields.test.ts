/**
 * n8n refuses to run a node while a parameter marked `required` is empty and
 * shown. When the parameter that decides whether it is shown is set by an
 * expression, n8n cannot resolve that before the run and treats it as shown —
 * so a required field behind such a parameter blocks the workflow (e.g. HasData
 * "Custom Slug" with "Scraper" mapped from an expression). Such fields are
 * checked when the node runs instead.
 */
import { NodeHelpers } from 'n8n-workflow';
import type { INode, INodeParameters, INodeProperties, INodeType } from 'n8n-workflow';

import { HasData } from '../../nodes/HasData/HasData.node';
import { HasDataTrigger } from '../../nodes/HasData/HasDataTrigger.node';
import { HasDataWebhookTrigger } from '../../nodes/HasData/HasDataWebhookTrigger.node';
import { Hirebase } from '../../nodes/Hirebase/Hirebase.node';
import { HirebaseTrigger } from '../../nodes/Hirebase/HirebaseTrigger.node';
import { Lobstr } from '../../nodes/Lobstr/Lobstr.node';
import { LobstrTrigger } from '../../nodes/Lobstr/LobstrTrigger.node';
import { PlatformJobs } from '../../nodes/PlatformJobs/PlatformJobs.node';
import { PlatformJobsTrigger } from '../../nodes/PlatformJobs/PlatformJobsTrigger.node';

const nodes: INodeType[] = [
	new HasData(),
	new HasDataTrigger(),
	new HasDataWebhookTrigger(),
	new Hirebase(),
	new HirebaseTrigger(),
	new Lobstr(),
	new LobstrTrigger(),
	new PlatformJobs(),
	new PlatformJobsTrigger(),
];

/** Parameters a user can set by an expression (anything but noDataExpression options). */
function expressionable(properties: INodeProperties[]): Set<string> {
	return new Set(properties.filter((p) => p.noDataExpression !== true && p.type !== 'notice').map((p) => p.name));
}

/** Every (required field, controlling parameter) pair where the controller can be an expression. */
function hiddenBehindExpressions(type: INodeType): Array<{ field: INodeProperties; controller: string; values: INodeParameters }> {
	const properties = type.description.properties;
	const canBeExpression = expressionable(properties);
	const out: Array<{ field: INodeProperties; controller: string; values: INodeParameters }> = [];
	for (const field of properties) {
		if (!field.required) continue;
		const show = field.displayOptions?.show ?? {};
		for (const controller of Object.keys(show)) {
			if (!canBeExpression.has(controller)) continue;
			// The other conditions as the field wants them (first allowed value), the controller as an expression.
			const values: INodeParameters = {};
			for (const [name, allowed] of Object.entries(show)) values[name] = (allowed as unknown[])[0] as string;
			values[controller] = '={{ $json.choice }}';
			out.push({ field, controller, values });
		}
	}
	return out;
}

const pairs = nodes.flatMap((type) => hiddenBehindExpressions(type).map((pair) => ({ node: type.description.displayName, type, ...pair })));

it('HasData "Custom Slug" is shown for the custom scraper but checked at run time, not marked required', () => {
	const slug = new HasData().description.properties.find((p) => p.name === 'customSlug');
	expect(slug?.required).not.toBe(true);
	expect(slug?.displayOptions?.show?.scraper).toEqual(['custom']);
});

it('n8n accepts HasData Start with "Scraper" set by an expression (no parameter issues)', () => {
	const type = new HasData();
	const node: INode = {
		id: '1',
		name: 'HasData',
		type: 'hasData',
		typeVersion: 1,
		position: [0, 0],
		parameters: { resource: 'job', operation: 'start', scraper: '={{ $json.scraper }}', input: '{}' },
	};
	node.parameters = NodeHelpers.getNodeParameters(type.description.properties, node.parameters, true, false, node, type.description)!;
	expect(NodeHelpers.getNodeParametersIssues(type.description.properties, node, type.description)).toBeNull();
});

it('no node marks a field required behind a parameter that can be an expression (n8n would demand it even when hidden)', () => {
	expect(pairs.map((p) => `${p.node}: "${p.field.displayName}" is required but shown by "${p.controller}"`)).toEqual([]);
});

it('n8n accepts Lobstr Get Results with "Results Of" set by an expression', () => {
	const type = new Lobstr();
	const node: INode = {
		id: '1',
		name: 'Lobstr',
		type: 'lobstr',
		typeVersion: 1,
		position: [0, 0],
		parameters: { resource: 'result', operation: 'getResults', source: '={{ $json.source }}' },
	};
	node.parameters = NodeHelpers.getNodeParameters(type.description.properties, node.parameters, true, false, node, type.description)!;
	expect(NodeHelpers.getNodeParametersIssues(type.description.properties, node, type.description)).toBeNull();
});
