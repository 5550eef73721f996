/**
 * A tiny HTTP server that plays n8n's webhook endpoint: every POST it receives
 * (from the emulator, over real HTTP) is handed to the node's webhook() method
 * in n8n-core's WebhookContext, and the answer goes back the way n8n's
 * "onReceived" response mode sends it.
 *
 * It also plays how n8n 2.41 keeps static data around a webhook call (read in
 * n8n's source, proven in the real-n8n e2e, test/e2e/triggers.ts): each call
 * starts from the SAVED static data; what webhook() wrote is saved only when the
 * call starts no execution; an execution loads the saved static data again,
 * runs the trigger node's execute() with the webhook's items, and saves its
 * static data when it ends. A node relying on webhook() writes alone loses them
 * here as in n8n. `saved()` is what n8n would have in its database.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeExecutionData, IWebhookResponseData } from 'n8n-workflow';

import { executeContext, responseObject, webhookContext } from './n8nContext';
import type { ContextOptions } from './n8nContext';

export { webhookContext } from './n8nContext';

const clone = (data: IDataObject): IDataObject => JSON.parse(JSON.stringify(data)) as IDataObject;

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
	/** The static data as n8n has it saved. */
	let saved: IDataObject = clone(options.staticData ?? {});
	const mode = options.mode ?? 'webhook';
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
		const callStatic = clone(saved);
		try {
			call.response = await options.node.webhook!.call(webhookContext({ ...options, mode, staticData: callStatic }, body, req.headers, response));
			if (call.response.noWebhookResponse) {
				call.status = response.recorded.status;
				if (!response.recorded.sent) res.end();
				saved = callStatic;
				return;
			}
			if (!call.response.workflowData) saved = callStatic;
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(call.response.webhookResponse ?? { message: 'Workflow was started' }));
			if (call.response.workflowData) {
				// The execution: fresh static data, the trigger node's execute() with the items, saved at the end.
				const items = call.response.workflowData[0];
				executions.push(items);
				const execStatic = clone(saved);
				if (options.node.execute) {
					await options.node.execute.call(executeContext({ ...options, mode, staticData: execStatic, items: items.map((i) => i.json) }));
				}
				saved = execStatic;
			}
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
		/** The static data n8n would have saved by now. */
		saved: () => saved,
		stop: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
