/**
 * The one piece of n8n's host written here: n8n-core asks the host for a node's
 * credentials (`getDecrypted`) and to sign each request (`authenticate`). The
 * real host (packages/cli CredentialsHelper) reads them from its database; this
 * one holds the test's values. Signing follows the host's rules: a credential
 * type's `authenticate` function is called, a declarative (`generic`) one has
 * every key and value resolved by n8n's own expression engine with
 * `$credentials`, and written into the request's headers / qs / body / auth.
 */
import { Credentials } from 'n8n-core';
import { ICredentialsHelper, isExpression } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';

export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly types: ICredentialType[],
		private readonly values: Record<string, IDataObject>,
	) {
		super();
	}

	private type(name: string): ICredentialType {
		const type = this.types.find((t) => t.name === name);
		if (!type) throw new Error(`test engine: no credential type "${name}" was given`);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.type(name).extends ?? [];
		return [...parents, ...parents.flatMap((p) => (this.types.some((t) => t.name === p) ? this.getParentTypes(p) : []))];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(name: string): INodeProperties[] {
		return this.type(name).properties;
	}

	/** As the host does: the credential type's defaults, overwritten by the stored values. */
	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _nodeCredentials: INodeCredentialsDetails, name: string): Promise<ICredentialDataDecryptedObject> {
		const stored = this.values[name];
		if (!stored) throw new Error(`test engine: no values for credential "${name}" were given`);
		const defaults = Object.fromEntries(this.type(name).properties.map((p) => [p.name, p.default]));
		return { ...defaults, ...stored } as ICredentialDataDecryptedObject;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		name: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(name);
		const options = requestOptions as IHttpRequestOptions & Record<string, IDataObject>;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);
		if (!authenticate || authenticate.type !== 'generic') return options;
		if (!workflow || !node) throw new Error('test engine: n8n-core signs a declarative credential with a workflow and a node');
		const resolve = (value: unknown) => {
			if (!isExpression(value)) return value;
			const resolved = workflow.expression.getSimpleParameterValue(node, value as string, 'internal', { $credentials: credentials }, undefined, '');
			return resolved ? String(resolved) : '';
		};
		options.headers ??= {};
		for (const [where, entries] of Object.entries(authenticate.properties)) {
			options[where] ??= {};
			for (const [key, value] of Object.entries(entries as IDataObject)) options[where][resolve(key) as string] = resolve(value) as string;
		}
		return options;
	}

	/** No credential here expires or needs a token first. */
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(details: INodeCredentialsDetails, name: string) {
		return new Credentials({ id: details.id, name: details.name }, name);
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}
}
