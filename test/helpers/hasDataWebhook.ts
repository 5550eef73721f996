/**
 * A tiny HTTP server that plays n8n's webhook endpoint: every POST it receives
 * (from the emulator, over real HTTP) is handed to the node's webhook() method
 * in n8n-core's WebhookContext, and the answer goes back the way n8n's
 * "onReceived" response mode sends it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeExecutionData, IWebhookResponseData } from 'n8n-workflow';

import { responseObject, webhookContext } from './n8nContext';
import type { ContextOptions } from './n8nContext';

export { webhookContext } from './n8nContext';

export interface ReceivedCall {
	body: IDataObject;
	headers: http.IncomingHttpHeaders;
	status: number;
	response?: IWebhookResponseData;
	error?: Error;
}

/** Starts a receiver whose URL can be given as a job's webhook URL. */
export async function startWebhookReceiver(options: ContextOptions) {
	const calls: ReceivedCall[] = [];
	/** Each workflow execution the trigger started: its items. */
	const executions: INodeExecutionData[][] = [];
	const server = http.createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		let body: IDataObject = {};
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
		} catch {
			/* n8n would pass an empty body on */
		}
		const call: ReceivedCall = { body, headers: req.headers, status: 200 };
		calls.push(call);
		const response = responseObject(res);
		try {
			call.response = await options.node.webhook!.call(webhookContext(options, body, req.headers, response));
			if (call.response.noWebhookResponse) {
				call.status = response.recorded.status;
				if (!response.recorded.sent) res.end();
				return;
			}
			if (call.response.workflowData) executions.push(call.response.workflowData[0]);
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(call.response.webhookResponse ?? { message: 'Workflow was started' }));
		} catch (error) {
			call.error = error as Error;
			call.status = 500;
			res.writeHead(500, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ message: (error as Error).message }));
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/hasdata`;
	return {
		url,
		calls,
		executions,
		stop: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
