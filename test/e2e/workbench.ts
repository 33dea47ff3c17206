// What a user does in the VS Code workbench (code-server in headless Chromium), as small steps the
// end-to-end test composes: open a side-bar view, right-click a file in the Explorer, answer a
// QuickPick, run a Command Palette command, wait for a notification.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';

/** Saves a screenshot of the whole page as `<dir>/<name>.png` and returns its path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Shows the activity-bar container whose label starts with `label` (clicking an active one would hide the side
 * bar). */
export async function showContainer(page: Page, label: string): Promise<void> {
  const item = page.locator(`.activitybar .action-item a[aria-label^="${label}"]`);
  await item.waitFor({ timeout: 60_000 });
  const active = await item.evaluate((a) => a.closest('.action-item')?.classList.contains('checked') ?? false);
  if (!active || !(await page.locator('.part.sidebar').isVisible())) await item.click();
}

/** Right-clicks `fileName` in the Explorer and clicks the context-menu action `action`. */
export async function explorerContextAction(page: Page, fileName: string, action: string): Promise<void> {
  await page.keyboard.press('Escape');
  await showContainer(page, 'Explorer');
  const row = page.locator(`.explorer-folders-view .monaco-list-row:has-text("${fileName}")`).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click({ button: 'right' });
  const item = page.locator(`.context-view .action-label:has-text("${action}")`).first();
  await item.waitFor({ timeout: 10_000 });
  // A click that lands while the menu is still settling only highlights the item: then press Enter.
  await item.hover();
  await page.waitForTimeout(200);
  await item.click();
  const menu = page.locator('.context-view .monaco-menu');
  try {
    await menu.waitFor({ state: 'hidden', timeout: 2_000 });
  } catch {
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: 5_000 });
  }
}

/**
 * The open QuickPick, once its title contains `title` and its first row is drawn (accepting before
 * the rows arrive accepts nothing, and the command ends silently).
 */
export async function quickPick(page: Page, title: string | RegExp): Promise<Locator> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title').filter({ hasText: title }).first().waitFor({ timeout: 30_000 });
  await widget.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
  return widget;
}

/**
 * Accepts the open QuickPick titled `title` with a click, as a mouse user does: on the row containing
 * `row` (default the first), or on OK when it picks many (its rows come checked). Clicks rather
 * than Enter: an Enter that accepts one QuickPick now and then also reaches the next one the
 * extension opens, before its rows are there, which accepts that one empty and ends the command.
 */
export async function acceptQuickPick(page: Page, title: string | RegExp, row?: string): Promise<void> {
  const widget = await quickPick(page, title);
  const ok = widget.locator('.quick-input-action .monaco-button').filter({ hasText: /^OK$/ });
  if (await ok.isVisible()) {
    await ok.click();
  } else {
    const rows = widget.locator('.quick-input-list .monaco-list-row');
    await (row ? rows.filter({ hasText: row }) : rows).first().click();
  }
  await widget.locator('.quick-input-title').filter({ hasText: title }).first()
    .waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Types `filter` into the open QuickPick and clicks the row containing `row`. */
export async function pickRow(page: Page, filter: string, row: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(filter);
  const item = page.locator(`.quick-input-list .monaco-list-row:has-text("${row}")`).first();
  await item.waitFor({ timeout: 15_000 });
  await item.click();
}

/** Runs a command from the Command Palette (F1) by its full title, e.g. "Subnetwork Lens: Ablate subnetwork…". */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  // Move the focus to the workbench first (it may be inside a webview).
  await page.locator('.part.sidebar .composite.title').first().click();
  await page.waitForTimeout(500);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${title.replace(/…$/, '')}`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title.replace(/…$/, '') }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click(); // not Enter: see acceptQuickPick
}

/** The notification toast containing `text`. */
export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast').filter({ hasText: text }).first();
}

/** The webview content frame of the active custom editor or webview panel. */
export function activeWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** The first frame (webviews are nested iframes) in which `selector` matches, waiting up to `timeoutMs`. */
export async function frameWith(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  const t0 = Date.now();
  for (;;) {
    for (const f of page.frames()) {
      if (await f.locator(selector).count().catch(() => 0)) return f;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`no frame shows ${selector} after ${timeoutMs / 1000} s`);
    await page.waitForTimeout(250);
  }
}

/** Expands the tree row (if collapsed) and returns it. */
export async function expandRow(row: Locator): Promise<Locator> {
  await row.waitFor({ timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  return row;
}
