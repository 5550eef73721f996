/**
 * The n8n editor, as the browser test drives it: by what a user sees (names,
 * labels, icons) and the editor's own data-test-id hooks, never by internals.
 * Selectors were read off n8n 2.41.1's editor.
 */
import path from 'node:path';

import type { BrowserContext, Locator, Page } from 'playwright-core';

const TIMEOUT = 20_000;

export type Theme = 'light' | 'dark';

function fail(message: string): never {
	throw new Error(message);
}

export class Editor {
	constructor(
		private readonly context: BrowserContext,
		private readonly baseUrl: string,
		private readonly shotsDir: string,
	) {
		context.setDefaultTimeout(TIMEOUT);
	}

	/** Signs in through the sign-in page, as a user does. */
	async login(email: string, password: string): Promise<void> {
		const page = await this.context.newPage();
		await page.goto(`${this.baseUrl}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"], input[type="email"]').first().fill(email);
		await page.locator('input[name="password"], input[type="password"]').first().fill(password);
		await page.locator('[data-test-id="form-submit-button"], button[type="submit"]').first().click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: TIMEOUT });
		await page.close();
	}

	async openPage(pathname: string, theme: Theme): Promise<Page> {
		const page = await this.context.newPage();
		const sep = pathname.includes('?') ? '&' : '?';
		await page.goto(`${this.baseUrl}${pathname}${sep}theme=${theme}`);
		await this.dismissOverlays(page);
		return page;
	}

	async openNewWorkflow(theme: Theme): Promise<Page> {
		const page = await this.openPage('/workflow/new', theme);
		await page.locator('[data-test-id="canvas-add-button"], [data-test-id="canvas-plus-button"]').first().waitFor();
		return page;
	}

	async openWorkflow(id: string, theme: Theme): Promise<Page> {
		const page = await this.openPage(`/workflow/${id}`, theme);
		await page.locator('[data-test-id="canvas-node"]').first().waitFor();
		await this.dismissOverlays(page);
		// The canvas fades its nodes in: let it settle before anything is judged or shot.
		await page.waitForTimeout(1500);
		return page;
	}

	/** Closes banners and tooltips that would cover what a screenshot should show. */
	async dismissOverlays(page: Page): Promise<void> {
		await page.keyboard.press('Escape').catch(() => undefined);
	}

	async shot(page: Page, file: string): Promise<void> {
		await page.screenshot({ path: path.join(this.shotsDir, file) });
	}

	/** Opens the node panel and searches it; returns the entry named `entry` (when given). */
	async searchPanel(page: Page, query: string, entry: string | undefined, expectAll: string[] = []): Promise<{ item: Locator; icon: Locator }> {
		// Start from a freshly opened panel (not a node's actions view left open).
		const creator = page.locator('[data-test-id="node-creator"]');
		if (await creator.isVisible().catch(() => false)) {
			await page.keyboard.press('Escape');
			await creator.waitFor({ state: 'hidden' }).catch(() => undefined);
		}
		await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
		const search = page.locator('input[data-test-id="node-creator-search-bar"]').first();
		await search.waitFor();
		await search.fill('');
		await search.fill(query);
		const item = page.locator('[data-test-id="item-iterator-item"]').filter({
			has: page.locator('[data-test-id="node-creator-item-name"]', { hasText: new RegExp(`^\\s*${escape(entry ?? query)}\\s*$`) }),
		});
		if (!entry) {
			// A listing for a screenshot: wait until the results have replaced the default list.
			await page.waitForFunction(
				(names) => {
					// Runs in the page (no DOM types in this project).
					const doc = (globalThis as any).document;
					const shown = [...doc.querySelectorAll('[data-test-id="node-creator-item-name"]')].map((e: any) => String(e.textContent ?? '').trim());
					return names.every((n) => shown.includes(n));
				},
				expectAll,
				{ timeout: TIMEOUT },
			).catch(() => undefined);
			await page.waitForTimeout(500);
			return { item, icon: item.locator('img') };
		}
		await item.first().waitFor({ timeout: TIMEOUT }).catch(async () => {
			const names = await page.locator('[data-test-id="node-creator-item-name"]').allInnerTexts();
			fail(`searching the node panel for "${query}" lists ${JSON.stringify(names)}, not "${entry}"`);
		});
		return { item: item.first(), icon: item.first().locator('img').first() };
	}

	/** The actions n8n's node panel lists for an entry (after clicking it). */
	async panelActions(page: Page, entry: string): Promise<string[]> {
		const { item } = await this.searchPanel(page, entry, entry);
		await item.click();
		const actions = page.locator('[data-test-id="node-creator"] [data-test-id="item-iterator-item"] [data-test-id="node-creator-item-name"]');
		await page.locator('[data-test-id="node-creator-category-item"]').first().waitFor();
		await actions.first().waitFor();
		await page.waitForTimeout(800); // the actions view slides in
		const names = (await actions.allInnerTexts()).map((t) => t.trim());
		return names;
	}

	/** An icon must be an <img> that loaded (naturalWidth > 0) and, in the dark theme, the dark variant. */
	async assertIconRenders(icon: Locator, what: string, theme: Theme): Promise<void> {
		await icon.waitFor({ timeout: TIMEOUT }).catch(() => fail(`${what}: no icon image`));
		// Runs in the page: `img` is an HTMLImageElement (typed loosely: no DOM lib here).
		const state = await icon.evaluate(async (img: any) => {
			for (let i = 0; i < 30 && !(img.complete && img.naturalWidth > 0); i++) await new Promise((r) => setTimeout(r, 100));
			return { src: String(img.getAttribute('src') ?? ''), loaded: Boolean(img.complete && img.naturalWidth > 0) };
		});
		if (!state.loaded) fail(`${what}: the image ${state.src} did not load`);
		if (theme === 'dark' && !/\.dark\.svg/.test(state.src)) fail(`${what}: the dark theme shows ${state.src}, not the dark icon`);
		if (theme === 'light' && /\.dark\.svg/.test(state.src)) fail(`${what}: the light theme shows the dark icon ${state.src}`);
	}

	async canvasNode(page: Page, name: string): Promise<CanvasNode> {
		const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
		await node.waitFor().catch(() => fail(`no node "${name}" on the canvas`));
		return new CanvasNode(node);
	}

	async openNode(page: Page, name: string): Promise<NodeSettings> {
		const node = await this.canvasNode(page, name);
		await node.root.dblclick();
		await page.locator('[data-test-id="node-parameters"]').first().waitFor();
		return new NodeSettings(page);
	}

	/** Every node of the workflow file is on the canvas with no issues, and every connection is drawn. */
	async assertWorkflowWired(page: Page, workflow: { nodes: Array<{ name: string; type: string }>; connections: Record<string, { main?: Array<Array<{ node: string }>> }> }): Promise<void> {
		for (const n of workflow.nodes.filter((node) => !node.type.endsWith('.stickyNote'))) {
			const node = await this.canvasNode(page, n.name);
			if (await node.hasIssues()) fail(`"${n.name}" shows an issues badge: ${await node.issuesText()}`);
		}
		const expected = Object.values(workflow.connections).reduce((sum, c) => sum + (c.main ?? []).reduce((s, out) => s + (out?.length ?? 0), 0), 0);
		const drawn = await page.locator('[data-test-id="edge"]').count();
		if (drawn !== expected) fail(`the canvas draws ${drawn} connection(s), the workflow has ${expected}`);
	}

	/** Clicks "Execute workflow" and waits until `lastNode` shows success; returns how long it took. */
	async executeWorkflow(page: Page, lastNode: string, timeoutMs: number): Promise<number> {
		const t = Date.now();
		const button = page.locator('[data-test-id="execute-workflow-button"]');
		await ((await button.count()) ? button : page.locator('[data-test-id^="execute-workflow-button"]')).first().click();
		const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${lastNode}"]`);
		await node
			.locator('[data-test-id="canvas-node-status-success"]')
			.waitFor({ timeout: timeoutMs })
			.catch(async () => {
				const failed = await page.locator('[data-test-id="canvas-node"]:has([data-test-id="node-issues"])').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name')));
				fail(`"${lastNode}" did not finish within ${timeoutMs / 1000} s${failed.length ? `; nodes with errors: ${failed.join(', ')}` : ''}`);
			});
		await page.waitForTimeout(1000);
		return Date.now() - t;
	}

	/**
	 * Opens a credential, types its fields as a user would and saves: n8n then
	 * tests it and shows "Connection tested successfully" or "Couldn't connect".
	 */
	async testCredential(page: Page, id: string, fields: Record<string, string>, shot: string): Promise<{ ok: boolean; message: string }> {
		await page.goto(`${this.baseUrl}/home/credentials/${id}`);
		const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
		await dialog.waitFor();
		for (const [name, value] of Object.entries(fields)) {
			await dialog.locator(`[data-test-id="parameter-input-${name}"] input`).fill(value);
		}
		await page.locator('[data-test-id="credential-save-button"]').click();
		const success = dialog.getByText(/Connection tested successfully/);
		const failure = dialog.getByText(/Couldn.t connect with these settings/);
		const outcome = await Promise.race([
			success.waitFor().then(() => 'ok'),
			failure.waitFor().then(() => 'error'),
		]).catch(() => 'none');
		await this.shot(page, shot);
		const message = outcome === 'none' ? 'no test result shown' : (await (outcome === 'ok' ? success : failure).innerText()).trim();
		await page.keyboard.press('Escape');
		await dialog.waitFor({ state: 'hidden' }).catch(() => undefined);
		return { ok: outcome === 'ok', message };
	}
}

export class CanvasNode {
	constructor(readonly root: Locator) {}

	get icon(): Locator {
		return this.root.locator('img').first();
	}

	async hasIssues(): Promise<boolean> {
		return (await this.root.locator('[data-test-id="node-issues"]').count()) > 0;
	}

	async issuesText(): Promise<string> {
		const badge = this.root.locator('[data-test-id="node-issues"]').first();
		await badge.hover({ timeout: 3000 }).catch(() => undefined);
		const tip = this.root.page().locator('.el-popper[aria-hidden="false"], [role="tooltip"]').last();
		return ((await tip.innerText().catch(() => '')) || (await badge.getAttribute('title')) || '').replace(/\s+/g, ' ').trim();
	}

	async subtitle(): Promise<string> {
		const el = this.root.locator('[class*="_subtitle_"]').first();
		if (!(await el.count())) return '';
		return (await el.innerText()).trim();
	}
}

export class NodeSettings {
	constructor(private readonly page: Page) {}

	private get panel(): Locator {
		return this.page.locator('[data-test-id="node-parameters"]').first();
	}

	async fieldLabels(): Promise<string[]> {
		const labels = await this.panel.locator('[data-test-id="parameter-item"] label, [data-test-id="parameter-item"] .n8n-input-label, [data-test-id="input-label"]').allInnerTexts();
		const collections = await this.panel.locator('.collection-parameter .parameter-name, [data-test-id="fixed-collection-add"], .multi-parameter .parameter-name, .parameter-name').allInnerTexts();
		return [...new Set([...labels, ...collections].map((l) => l.split('\n')[0].replace(/\*$/, '').trim()).filter(Boolean))];
	}

	/** The options of a dropdown field, in the order shown. */
	async optionsOf(label: string): Promise<string[]> {
		const item = this.panel.locator('[data-test-id="parameter-item"]').filter({ has: this.page.getByText(label, { exact: true }) }).first();
		await item.locator('input, [role="combobox"]').first().click();
		return this.readOpenDropdown();
	}

	/** The items of the dropdown just opened (the newest visible one), then closes it. */
	private async readOpenDropdown(): Promise<string[]> {
		const dropdown = this.page.locator('.el-select-dropdown:visible, [role="listbox"]:visible').last();
		const options = dropdown.locator('.el-select-dropdown__item, [role="option"]');
		await options.first().waitFor();
		const texts = (await options.allInnerTexts()).map((t) => t.split('\n')[0].trim());
		await this.page.keyboard.press('Escape');
		// Let it fade out, so the next dropdown read is not this one.
		await dropdown.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
		return texts;
	}

	/** The value shown in a text or number field. */
	async valueOf(name: string): Promise<string> {
		return this.panel.locator(`[data-test-id="parameter-input-${name}"] input`).first().inputValue();
	}

	/** What a collection's "Add …" dropdown offers. */
	async collectionChoices(label: string): Promise<string[]> {
		const item = this.panel.locator('[data-test-id="parameter-item"]').filter({ has: this.page.getByText(label, { exact: true }) }).first();
		await item.locator('[data-test-id="collection-parameter-add"]').first().click();
		return this.readOpenDropdown();
	}

	async parameterIssues(): Promise<string[]> {
		return (await this.panel.locator('[data-test-id$="parameter-input-issues-container"]').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
	}

	async close(): Promise<void> {
		const back = this.page.locator('[data-test-id="back-to-canvas"], [data-test-id="ndv-close-button"]').first();
		if (await back.isVisible().catch(() => false)) await back.click();
		else await this.page.keyboard.press('Escape');
		await this.page.locator('[data-test-id="node-parameters"]').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
	}
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
