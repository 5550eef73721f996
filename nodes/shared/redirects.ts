/**
 * Redirects on requests that carry the API key.
 *
 * n8n follows redirects itself, and when the host changes it drops only the
 * Authorization, Proxy-Authorization and Cookie headers (n8n 1.123 and 2.41 alike;
 * `sendCredentialsOnCrossOriginRedirect` governs only those). A key sent in any
 * other header — `x-api-key` for Hirebase and HasData — would travel on to the
 * new host. So the transport asks n8n not to follow redirects and follows them
 * here: to the same origin as the Base URL only, never anywhere else.
 */
export const MAX_REDIRECTS = 5;

export function isRedirect(status: number): boolean {
	return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** The absolute URL a redirect points to, or undefined without a usable Location header. */
export function redirectTarget(headers: Record<string, unknown>, fromUrl: string): string | undefined {
	const location = headers.location;
	if (location === undefined || location === '') return undefined;
	try {
		return new URL(String(location), fromUrl).toString();
	} catch {
		return undefined;
	}
}

/** Same scheme, host and port: the only place the key may be sent again. */
export function sameOrigin(a: string, b: string): boolean {
	try {
		return new URL(a).origin === new URL(b).origin;
	} catch {
		return false;
	}
}

/** 303, and 301/302 after anything but GET, turn the next request into a GET without a body (as browsers and n8n do). */
export function redirectBecomesGet(status: number, method: string): boolean {
	return status === 303 || ((status === 301 || status === 302) && method.toUpperCase() !== 'GET');
}
