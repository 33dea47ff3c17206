// Integration tests in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) + headless Chromium.
// Each scenario starts code-server, opens a generated task workspace with the extension under
// development and its in-host suite (test/vscode/suite/index.ts → dist/test/index.js), waits for the
// suite's result file, takes screenshots, and drives a little of the UI.
//
//   npm run build && node --import tsx --test test/vscode/extension.test.ts
//
// Skips with a message when code-server or Chromium is missing, unless CI=true (then it fails).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SuiteParams, SuiteReport } from './suite/index';
import { makeWorkspace } from './makeWorkspace';
import { ARTIFACTS, launchChromium, missingPrerequisite, startCodeServer, type CodeServer } from './codeServer';

const missing = missingPrerequisite();
const CI = process.env.CI === 'true';
if (missing && !CI) console.log(`# skipping the VS Code integration tests: ${missing}`);
const skip = missing && !CI ? missing : false;
/** SNL_SCENARIOS=trusted (or untrusted) runs one scenario only. */
const only = process.env.SNL_SCENARIOS?.split(',');
const scenarioSkip = (name: string) =>
  (only && !only.includes(name) ? `SNL_SCENARIOS=${process.env.SNL_SCENARIOS}` : false);

async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

async function waitForReport(file: string, page: Page, timeoutMs: number): Promise<SuiteReport> {
  const t0 = Date.now();
  let last: SuiteReport | undefined;
  while (Date.now() - t0 < timeoutMs) {
    if (fs.existsSync(file)) {
      try {
        last = JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteReport;
        if (last.done) return last;
      } catch {
        // being replaced
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await screenshot(page, 'timeout').catch(() => undefined);
  throw new Error(
    `the in-host suite did not finish within ${timeoutMs / 1000} s; last report: ${JSON.stringify(last)}`);
}

interface Scenario {
  /** Temp folder with the workspace, user data and code-server's log (removed afterwards unless SNL_KEEP=1). */
  home: string;
  /** Lets the in-host suite return (the workbench then shuts the extension host down). */
  release(): void;
  server: CodeServer;
  page: Page;
  report: SuiteReport;
  workspace: string;
}

async function runScenario(browser: Browser, scenario: 'trusted' | 'untrusted'): Promise<Scenario> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `snl-vscode-${scenario}-`));
  const workspace = path.join(home, 'workspace');
  const params: SuiteParams = { scenario, resultsFile: path.join(home, 'suite-results.json'),
    ...makeWorkspace(workspace) };
  fs.writeFileSync(path.join(workspace, '.subnetwork-lens-test.json'), JSON.stringify(params, null, 2));
  const server = await startCodeServer({ home, trust: scenario === 'untrusted' });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.log(`# [${scenario} page error] ${e.message}`));
  await page.goto(server.url(workspace, true));
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const report = await waitForReport(params.resultsFile, page, 8 * 60_000);
  return { home, server, page, report, workspace, release: () =>
    fs.writeFileSync(`${params.resultsFile}.release`, '') };
}

function printReport(report: SuiteReport): void {
  console.log(`# VS Code ${report.vscodeVersion}, scenario ${report.scenario}, trusted=${report.trusted}`);
  for (const r of report.results) {
    const notes = r.notes && Object.keys(r.notes).length ? ` ${JSON.stringify(r.notes)}` : '';
    console.log(`#   ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms} ms)${notes}${r.error ? ` — ${r.error}` : ''}`);
  }
}

describe('Subnetwork Lens in a real VS Code (code-server)', { skip }, () => {
  let browser: Browser;
  const servers: CodeServer[] = [];

  before(async () => {
    if (missing) throw new Error(`CI=true but the integration tests cannot run: ${missing}`);
    browser = await launchChromium();
  });

  const homes: string[] = [];
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.stop();
    if (process.env.SNL_KEEP !== '1') for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
    else console.log(`# kept: ${homes.join(', ')}`);
  });

  describe('in a trusted workspace', { skip: scenarioSkip('trusted') }, () => {
    let s: Scenario;
    after(() => s?.release());
    before(async () => {
      s = await runScenario(browser, 'trusted');
      servers.push(s.server);
      homes.push(s.home);
      printReport(s.report);
      await screenshot(s.page, 'trusted-after-suite');
    });

    test('the in-host suite ran in a trusted workspace', () => {
      assert.equal(s.report.trusted, true);
      assert.match(s.report.vscodeVersion, /^1\.100\./);
    });

    for (const name of [
      'the extension activates',
      'every contributed command is registered',
      'the tree view lists the workspace model',
      'the layer graph opens in the read-only custom editor',
      'the compute process builds the layer graph view model',
      'the JSON schema flags an invalid task spec',
      'an engine error is shown as a readable message, not a stack trace',
      'Find subnetworks on a small model writes a complete run',
      'Ablate subnetwork re-evaluates a saved mask and shows a results table',
      'a second Find subnetworks waits in the queue and then runs',
      'a run written outside VS Code (e.g. by the CLI) appears in the tree without a refresh',
      'Compare subnetworks writes a side-by-side table with the overlap matrix',
      'Export pruned or ablated model writes an ONNX file the layer graph can read',
      'Cancel run stops a running job within about a second and leaves it marked cancelled',
    ]) {
      test(name, () => {
        const r = s.report.results.find((x) => x.name === name);
        assert.ok(r, `the suite did not run "${name}"`);
        assert.ok(r.ok, r.error);
      });
    }

    test('the layer graph webview draws the graph with the finished run\'s subnetworks', async () => {
      const page = s.page;
      // Find subnetworks opened the report (the model's layer graph with the run's overlay) when it finished.
      await page.locator('.tab:has-text("model.onnx")').first().click();
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await frame.locator('#graph canvas').first().waitFor({ timeout: 60_000 });
      await frame.locator('vscode-tab-header', { hasText: 'Subnetworks' }).click();
      try {
        await frame.locator('#overlay:has-text("inside")').waitFor({ timeout: 30_000 });
      } finally {
        await screenshot(page, 'trusted-layer-graph-overlay');
      }
      await frame.locator('vscode-tab-header', { hasText: 'Overlap' }).click();
      await screenshot(page, 'trusted-layer-graph-overlap');
    });

    test('the activity bar shows the Subnetwork Lens view with the model', async () => {
      const page = s.page;
      const item = page.locator('.activitybar .action-item a[aria-label^="Subnetwork Lens"]');
      await item.waitFor({ timeout: 30_000 });
      // Clicking the active container's icon would hide the side bar: only click when it is not active.
      const active = await item.evaluate((a) => a.closest('.action-item')?.classList.contains('checked') ?? false);
      if (!active || !(await page.locator('.part.sidebar').isVisible())) await item.click();
      const row = page.locator('.pane-body .monaco-list-row:has-text("model.onnx")').first();
      try {
        await row.waitFor({ timeout: 30_000 });
        // Expand a finished run (the suite also leaves a cancelled one) and its first subroutine: verdict,
        // scores and kept fraction, then seeds.
        const run = page.locator('.pane-body .monaco-list-row[aria-level="2"]:not(:has-text("cancelled"))').first();
        await run.waitFor({ timeout: 30_000 });
        if ((await run.getAttribute('aria-expanded')) !== 'true') await run.locator('.monaco-tl-twistie').click();
        const sub = page.locator('.pane-body .monaco-list-row[aria-level="3"]').first();
        await sub.waitFor({ timeout: 10_000 });
        await sub.locator('.monaco-tl-twistie').click();
        await page.locator('.pane-body .monaco-list-row[aria-level="4"]:has-text("seed 0")').first()
          .waitFor({ timeout: 10_000 });
        const text = await sub.innerText();
        assert.match(text, /(compositional|inconclusive|uninformative).*sub .*abl .*kept/s);
      } finally {
        await screenshot(page, 'trusted-tree-view');
      }
    });

    test('right-clicking model.onnx in the Explorer offers Find subnetworks', async () => {
      const page = s.page;
      await page.keyboard.press('Escape');
      await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').click();
      const row = page.locator('.explorer-folders-view .monaco-list-row:has-text("model.onnx")').first();
      await row.waitFor({ timeout: 30_000 });
      await row.click({ button: 'right' });
      const action = page.locator('.context-view .action-label:has-text("Find subnetworks")').first();
      await action.waitFor({ timeout: 10_000 });
      await screenshot(page, 'trusted-explorer-context-menu');
      // Run it the way a user does: two specs refer to model.onnx, so a QuickPick asks which.
      await action.click();
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 15_000 });
      await input.fill('quick');
      await page.locator('.quick-input-list .monaco-list-row:has-text("quick.subnet.json")').first()
        .waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      const progress = page.locator('.notification-toast:has-text("Find subnetworks: quick.subnet.json")').first();
      await progress.waitFor({ timeout: 30_000 });
      await screenshot(page, 'trusted-find-progress');
      await page.locator('.notification-toast:has-text("done. Results are in")').first().waitFor({ timeout: 180_000 });
      await screenshot(page, 'trusted-find-done');
    });
  });

  describe('in a Restricted Mode (untrusted) workspace', { skip: scenarioSkip('untrusted') }, () => {
    let s: Scenario;
    after(() => s?.release());
    before(async () => {
      s = await runScenario(browser, 'untrusted');
      servers.push(s.server);
      homes.push(s.home);
      printReport(s.report);
      await screenshot(s.page, 'untrusted-after-suite');
    });

    test('the in-host suite ran in an untrusted workspace', () => {
      assert.equal(s.report.trusted, false);
    });

    for (const name of [
      'the extension activates',
      'every contributed command is registered',
      'the tree view lists the workspace model',
      'the layer graph opens in the read-only custom editor',
      'the workspace is in Restricted Mode',
      'Find subnetworks explains that it needs trust and starts nothing',
      'Ablate subnetwork is refused too',
    ]) {
      test(name, () => {
        const r = s.report.results.find((x) => x.name === name);
        assert.ok(r, `the suite did not run "${name}"`);
        assert.ok(r.ok, r.error);
      });
    }

    test('no run folder was created in the untrusted workspace', () => {
      assert.equal(fs.existsSync(path.join(s.workspace, '.subnetwork-lens', 'runs')), false);
    });
  });
});
