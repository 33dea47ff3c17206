// End to end, the way a new user meets the product: package the linux-x64 VSIX (npm run package,
// reused when newer than every source), install it into a fresh code-server 4.100.3 extensions
// folder, open a generated task workspace in headless Chromium, and drive the UI only: Explorer
// right-click → Find subnetworks…, the layer graph webview with its overlay and heatmaps, the tree
// view, Ablate subnetwork… from the Command Palette, and a second Find cancelled midway.
// Screenshots go to test-artifacts/e2e/.
//
//   node scripts/run-tests.mjs test/e2e
//
// Skips with a message when code-server or Chromium is missing, unless CI=true (then it fails).
// SNL_KEEP=1 keeps the temp folder (workspace, user data, code-server log).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CODE_SERVER, REPO, launchChromium, missingTools, startCodeServer,
  type CodeServer } from '../vscode/codeServer';
import { makeWorkspace } from '../vscode/makeWorkspace';
import type { RunInfo } from '../../src/shared/results';
import { acceptQuickPick, activeWebview, explorerContextAction, expandRow, frameWith, pickRow, quickPick, runCommand,
  screenshot, showContainer, toast } from './workbench';
import { listFiles } from '../support/listFiles';

const ARTIFACTS = path.join(REPO, 'test-artifacts', 'e2e');
const TARGET = 'linux-x64';
type PackageJson = { name: string; publisher: string; version: string };
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as PackageJson;
const VSIX = path.join(REPO, 'out', `${pkg.name}-${pkg.version}-${TARGET}.vsix`);

function missingPrerequisite(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return `the end-to-end test installs the ${TARGET} VSIX; this machine is ${process.platform}-${process.arch}`;
  return missingTools();
}

const missing = missingPrerequisite();
const CI = process.env.CI === 'true';
if (missing && !CI) console.log(`# skipping the end-to-end test: ${missing}`);
const skip = missing && !CI ? missing : false;

/** Newest modification time of the files that go into the VSIX. */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'webview', 'media', 'schemas', 'package.json', 'README.md', '.vscodeignore',
    'esbuild.config.mjs', 'scripts/package-vsix.mjs']) visit(path.join(REPO, p));
  return newest;
}

/** The VSIX, packaged now unless one newer than every source exists. */
function ensureVsix(): { file: string; packagedMs?: number } {
  if (fs.existsSync(VSIX) && fs.statSync(VSIX).mtimeMs > newestSource()) return { file: VSIX };
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'package-vsix.mjs'), '--target', TARGET],
    { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`npm run package failed (${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  return { file: VSIX, packagedMs: Date.now() - t0 };
}


/** Run folders under the workspace's results folder, oldest first. */
function runDirs(workspace: string): string[] {
  const root = path.join(workspace, '.subnetwork-lens', 'runs');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).map((d) => path.join(root, d)).filter((d) => fs.statSync(d).isDirectory()).sort();
}

function readRunInfo(dir: string): RunInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunInfo;
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the packaged extension, end to end in code-server', { skip }, () => {
  let browser: Browser;
  let server: CodeServer | undefined;
  let page: Page;
  let home: string;
  let workspace: string;
  let extensionDir: string;
  const t0 = Date.now();
  const pageErrors: string[] = [];
  const shot = (name: string) => screenshot(page, ARTIFACTS, name);
  /** A test that leaves a screenshot named after it when it fails. */
  const step = (name: string, fn: () => Promise<void>) =>
    test(name, async () => {
      try {
        await fn();
      } catch (e) {
        if (page) await screenshot(page, ARTIFACTS,
          `FAILED ${name.slice(0, 60).replace(/[^\w -]+/g, '_')}`).catch(() => undefined);
        throw e;
      }
    });

  before(async () => {
    if (missing) throw new Error(`CI=true but the end-to-end test cannot run: ${missing}`);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'snl-e2e-'));
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    console.log(`# end-to-end total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (process.env.SNL_KEEP === '1') console.log(`# kept: ${home}`);
    else if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('npm run package builds a linux-x64 VSIX carrying only the linux-x64 onnxruntime binaries', () => {
    const { file, packagedMs } = ensureVsix();
    const mb = fs.statSync(file).size / 1e6;
    const how = packagedMs === undefined
      ? ' (reused, newer than every source)' : `, packaged in ${(packagedMs / 1000).toFixed(1)} s`;
    console.log(`# ${path.relative(REPO, file)}: ${mb.toFixed(1)} MB${how}`);
    assert.ok(mb > 5 && mb < 40, `the VSIX is ${mb.toFixed(1)} MB`);
  });

  test('code-server installs the VSIX into a fresh extensions folder', () => {
    const extensions = path.join(home, 'extensions');
    const r = spawnSync(CODE_SERVER, ['--install-extension', VSIX, '--extensions-dir', extensions, '--user-data-dir',
      path.join(home, 'user-data')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /successfully installed/);
    extensionDir = path.join(extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    const files = listFiles(extensionDir);
    for (const f of ['package.json', 'dist/extension.js', 'dist/worker.js', 'dist/cli.js', 'dist/webview.js',
      'media/webview.css', 'schemas/subnet.schema.json',
      'dist/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node']) {
      assert.ok(files.includes(f), `${f} is not in the installed extension`);
    }
    const binaries = files.filter((f) => f.includes('/bin/napi-v6/'));
    assert.deepEqual(binaries.filter((f) => !f.includes('/bin/napi-v6/linux/x64/')), [], 'binaries of other platforms');
    assert.equal(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/')).length, 0,
      'sources or source maps were shipped');
  });

  test('the workspace opens with the installed extension', async () => {
    workspace = path.join(home, 'workspace');
    makeWorkspace(workspace);
    // Few random ablations keep Ablate subnetwork… quick.
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'subnetworkLens.randomAblations': 4 }, null, 2));
    server = await startCodeServer({ home, trust: false });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.origin}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The contributed view container shows once the workbench has read the installed extension.
    await page.locator('.activitybar .action-item a[aria-label^="Subnetwork Lens"]').waitFor({ timeout: 60_000 });
    await shot('01-workbench');
  });

  step('Explorer right-click on model.onnx → Find subnetworks… runs to the end with progress', async () => {
    await explorerContextAction(page, 'model.onnx', 'Find subnetworks');
    await quickPick(page, 'Task spec for model.onnx');
    await shot('02-pick-spec');
    await pickRow(page, 'quick', 'quick.subnet.json');
    const started = Date.now();
    await toast(page, 'Find subnetworks: quick.subnet.json').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(600); // let the toast finish sliding in
    await shot('03-find-progress');
    await toast(page, 'done. Results are in').waitFor({ timeout: 240_000 });
    console.log(`# Find subnetworks (quick spec) finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await shot('04-find-done');
    const runs = runDirs(workspace);
    assert.equal(runs.length, 1);
    assert.equal(readRunInfo(runs[0]!)?.status, 'complete');
  });

  step('the layer graph webview shows the graph, the overlay toggles and the overlap heatmaps', async () => {
    // Find subnetworks opened the report: the model's layer graph with the run's overlay.
    await page.locator('.tab:has-text("model.onnx")').first().click();
    const frame = activeWebview(page);
    await frame.locator('#graph canvas').first().waitFor({ timeout: 60_000 });
    assert.ok((await frame.locator('#graph canvas').count()) > 0, 'graph canvas');
    await frame.locator('vscode-tab-header[data-tab="overlay"]').click();
    const toggles = frame.locator('vscode-checkbox[data-subnetwork]');
    await toggles.first().waitFor({ timeout: 30_000 });
    const names = await toggles.evaluateAll((els) => els.map((e) => e.getAttribute('data-subnetwork')));
    console.log(`# overlay toggles: ${names.join(', ')}`);
    assert.ok(names.length >= 2, `overlay toggles: ${names.join(', ')}`);
    await shot('05-layer-graph-overlay');
    await frame.locator('vscode-tab-header[data-tab="overlap"]').click();
    const cells = frame.locator('#overlap-matrix button.heat');
    await cells.first().waitFor({ timeout: 30_000 });
    const n = await cells.count();
    assert.ok(n >= names.length * names.length, `${n} heatmap cells for ${names.length} subnetworks`);
    assert.ok((await frame.locator('#layer-matrix tbody tr').count()) > 0, 'layer × pair heatmap rows');
    await cells.nth(1).click();
    await shot('06-layer-graph-heatmap');
  });

  step('the Subnetwork Lens view lists the model, the run, its subroutines and seeds', async () => {
    await page.keyboard.press('Escape');
    await showContainer(page, 'Subnetwork Lens');
    await page.locator('.pane-body .monaco-list-row:has-text("model.onnx")').first().waitFor({ timeout: 30_000 });
    await expandRow(page.locator('.pane-body .monaco-list-row[aria-level="2"]:not(:has-text("cancelled"))').first());
    const subs = page.locator('.pane-body .monaco-list-row[aria-level="3"]');
    await subs.first().waitFor({ timeout: 15_000 });
    const count = await subs.count();
    assert.ok(count >= 2, `${count} subroutine rows`);
    for (let i = 0; i < count; i++) await expandRow(subs.nth(i));
    const seeds = page.locator('.pane-body .monaco-list-row[aria-level="4"]:has-text("seed 0")');
    await seeds.nth(count - 1).waitFor({ timeout: 15_000 });
    assert.equal(await seeds.count(), count, 'one seed row per subroutine');
    assert.match(await subs.first().innerText(), /(compositional|inconclusive|uninformative).*sub .*abl .*kept/s);
    await shot('07-tree-view');
  });

  step('Ablate subnetwork… from the Command Palette shows a results table', async () => {
    await runCommand(page, 'Subnetwork Lens: Ablate subnetwork…');
    await acceptQuickPick(page, 'Ablate subnetwork: run');
    await quickPick(page, 'Ablate subnetwork: subroutine and seed');
    await shot('08-ablate-pick-mask');
    await acceptQuickPick(page, 'Ablate subnetwork: subroutine and seed');
    await acceptQuickPick(page, /: mode$/, 'zero');
    await acceptQuickPick(page, 'Ablate subnetwork: test sets');
    const run = runDirs(workspace)[0]!;
    const table = await until('the ablation table', () =>
      listFiles(run).find((f) => f.startsWith('ablations') && f.endsWith('.md')), 120_000);
    const text = fs.readFileSync(path.join(run, table), 'utf8');
    assert.match(text, /\| Test set \| Examples \| Intact \| Ablated \(zero\) \|/);
    // The Markdown preview (a webview) shows the table.
    await page.locator('.tab').filter({ hasText: /Preview/ }).first().waitFor({ timeout: 30_000 });
    const preview = await frameWith(page, 'table th:has-text("Ablated (zero)")', 30_000);
    assert.ok((await preview.locator('table tbody tr').count()) >= 1, 'rows in the ablation table');
    await shot('09-ablation-table');
  });

  step('a second Find subnetworks cancelled midway is marked cancelled and leaves only whole files', async () => {
    const before = new Set(runDirs(workspace));
    await explorerContextAction(page, 'model.onnx', 'Find subnetworks');
    await quickPick(page, 'Task spec for model.onnx');
    await pickRow(page, 'slow', 'slow.subnet.json');
    const progress = toast(page, 'Find subnetworks: slow.subnet.json');
    await progress.waitFor({ timeout: 30_000 });
    // Midway: the mask is training (a step count shows in the progress message).
    await progress.filter({ hasText: /step \d+/ }).waitFor({ timeout: 120_000 });
    const run = await until('the new run folder', () => runDirs(workspace).find((d) => !before.has(d)), 10_000);
    assert.equal(readRunInfo(run)?.status, 'running');
    await shot('10-second-find-running');
    const t = Date.now();
    await progress.hover();
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    const info = await until('run.json marked cancelled', () => {
      const i = readRunInfo(run);
      return i?.status === 'cancelled' ? i : undefined;
    }, 30_000);
    console.log(`# cancelled after the click in ${Date.now() - t} ms; done ${info.done?.length ?? 0}/${info.total}`);
    await toast(page, 'cancelled').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(800); // let the toast finish sliding in
    await shot('11-second-find-cancelled');
    const files = listFiles(run);
    assert.deepEqual(files.filter((f) => f.endsWith('.tmp')), [], 'half-written temp files');
    for (const f of files.filter((x) => x.endsWith('.json'))) {
      assert.doesNotThrow(() => JSON.parse(fs.readFileSync(path.join(run, f), 'utf8')), `${f} does not parse`);
    }
    for (const f of listFiles(runDirs(workspace)[0]!).filter((x) => x.endsWith('.json'))) {
      assert.doesNotThrow(() => JSON.parse(fs.readFileSync(path.join(runDirs(workspace)[0]!, f), 'utf8')),
        `${f} of the first run does not parse`);
    }
    // The tree lists both runs: the complete one and the cancelled one (resumable from its context menu).
    await showContainer(page, 'Subnetwork Lens');
    await page.locator('.pane-body .monaco-list-row[aria-level="2"]').nth(1).waitFor({ timeout: 15_000 });
    await shot('12-tree-with-cancelled-run');
    assert.deepEqual(pageErrors.filter((e) => /subnetwork/i.test(e)), [], 'page errors from the extension');
  });
});
