/**
 * The secret header that proves a call to n8n comes from HasData, for a job we
 * started.
 *
 * HasData signs nothing. What it does is send back, with every webhook call of
 * a job, the `webhook.headers` that job was started with. So the node that
 * starts (or reruns) a job puts a secret header there, and whatever receives
 * the call (the HasData Webhook Trigger, or a Start/Rerun waiting for HasData's
 * callback) refuses calls without it.
 *
 * API (all pure, no n8n context needed except `rejectCallback`):
 * - `callbackSecretFields(show?)`  the two parameters ("Secret Header Name",
 *                                  "Secret Value") for any node; same names everywhere
 * - `readCallbackSecret(node, name, value, itemIndex?)` → `CallbackSecret | undefined`
 *                                  (undefined when no value is set; a bad header name
 *                                  is a NodeOperationError naming the parameter)
 * - `callbackSecretHeaders(secret)` → `{ [header]: value }` for `webhook.headers`
 * - `hasCallbackSecret(secret, requestHeaders)` → whether a received call carries it
 *                                  (header name case-insensitive, constant-time compare)
 * - `rejectCallback(ctx)`          answers the call 401 and returns the
 *                                  `IWebhookResponseData` to return from `webhook()`
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode, INodeProperties, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

export const DEFAULT_SECRET_HEADER = 'X-HasData-Secret';

export interface CallbackSecret {
	/** Header name, as typed (HTTP header names are case-insensitive). */
	header: string;
	value: string;
}

/** "Secret Header Name" and "Secret Value" parameters. `displayOptions.show` as for any property. */
export function callbackSecretFields(show?: IDataObject): INodeProperties[] {
	const displayOptions = show ? { displayOptions: { show: show as never } } : {};
	return [
		{
			displayName: 'Secret Header Name',
			name: 'callbackHeaderName',
			type: 'string',
			default: DEFAULT_SECRET_HEADER,
			description: 'The HTTP header that carries the secret. Use the same name on the HasData node (Start or Rerun → Webhook) and on the HasData Webhook Trigger.',
			...displayOptions,
		},
		{
			displayName: 'Secret Value',
			name: 'secretValue',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'A long random text only you know. HasData sends it back in the header above with every webhook call of the job, and the HasData Webhook Trigger refuses calls without it (HTTP 401). Leave empty for no check.',
			...displayOptions,
		},
	];
}

/** A header name HTTP accepts: letters, digits and `!#$%&'*+-.^_`|~`. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** The secret from the two parameter values, or undefined when no value is set. */
export function readCallbackSecret(node: INode, headerName: unknown, value: unknown, itemIndex?: number): CallbackSecret | undefined {
	const secret = String(value ?? '');
	if (!secret) return undefined;
	const header = String(headerName ?? '').trim() || DEFAULT_SECRET_HEADER;
	if (!HEADER_NAME.test(header)) {
		const where = itemIndex === undefined ? '' : ` (item ${itemIndex})`;
		throw new NodeOperationError(node, `The parameter "Secret Header Name" is not a valid HTTP header name: "${header}"${where}`, {
			itemIndex,
			description: `Use letters, digits and dashes only, e.g. ${DEFAULT_SECRET_HEADER}, and the same name on the HasData node and the HasData Webhook Trigger.`,
		});
	}
	return { header, value: secret };
}

/** The `webhook.headers` block for HasData's start request. */
export function callbackSecretHeaders(secret: CallbackSecret | undefined): Record<string, string> | undefined {
	return secret ? { [secret.header]: secret.value } : undefined;
}

/** Compares without stopping at the first difference, so timing does not reveal the secret. */
function sameText(a: string, b: string): boolean {
	let diff = a.length ^ b.length;
	for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
	return diff === 0;
}

/** Whether a received call carries the secret. No secret configured: every call passes. */
export function hasCallbackSecret(secret: CallbackSecret | undefined, headers: IDataObject | Record<string, unknown>): boolean {
	if (!secret) return true;
	const wanted = secret.header.toLowerCase();
	const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === wanted);
	const received = Array.isArray(entry?.[1]) ? String((entry![1] as unknown[])[0] ?? '') : String(entry?.[1] ?? '');
	return entry !== undefined && sameText(received, secret.value);
}

/** Answers the call with 401 (n8n sends nothing else) and says so to n8n. */
export function rejectCallback(ctx: IWebhookFunctions, secret: CallbackSecret): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(401).json({ received: false, error: `Missing or wrong "${secret.header}" header` });
	return { noWebhookResponse: true };
}
