// Serves the built webview exactly as production does (same HTML from webviewHtml, same CSP, sent as
// a header too) from 127.0.0.1, with a stubbed acquireVsCodeApi that records posted messages, keeps
// state in sessionStorage (so a reload restores it) and lets the test send host messages.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { webviewCsp, webviewHtml } from '../../src/extension/webviewHtml';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'webview');

/** Reason to skip, or undefined to run. With CI=true a missing browser is a failure, not a skip. */
export function skipReason(): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  if (process.env.CI === 'true')
    throw new Error(`webview tests need ${CHROMIUM} (apt-get install -y chromium) and CI=true forbids skipping them`);
  return `skipped: ${CHROMIUM} not found (apt-get install -y chromium); set CI=true to make this a failure`;
}

const STUB = `(() => {
  const posted = [];
  let state = JSON.parse(sessionStorage.getItem('__state') || 'null') || undefined;
  window.__posted = posted;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => state,
    setState: (s) => { state = s; sessionStorage.setItem('__state', JSON.stringify(s)); },
  });
  let id = 100000;
  window.__send = (body, inReplyTo) => {
    const data = inReplyTo === undefined ? { messageId: id++, body } : { messageId: id++, inReplyTo, body };
    window.dispatchEvent(new MessageEvent('message', { data }));
  };
  window.__replyTo = (type, body) => {
    const req = [...posted].reverse().find((m) => m.body && m.body.type === type && m.wantsReply);
    if (!req) return false;
    window.__send(body, req.messageId);
    return true;
  };
  const dark = {
    '--vscode-editor-background': '#1e1e1e', '--vscode-editor-foreground': '#d4d4d4',
    '--vscode-descriptionForeground': '#9d9d9d', '--vscode-editorWidget-border': '#454545',
    '--vscode-focusBorder': '#007fd4', '--vscode-editorWidget-background': '#252526',
    '--vscode-sideBar-background': '#181818', '--vscode-editorLineNumber-foreground': '#6e7681',
    '--vscode-font-family': 'DejaVu Sans, sans-serif', '--vscode-font-size': '13px',
    '--vscode-textLink-foreground': '#3794ff', '--vscode-panel-border': '#2b2b2b',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff',
    '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc',
  };
  for (const [k, v] of Object.entries(dark)) document.documentElement.style.setProperty(k, v);
  document.addEventListener('DOMContentLoaded', () => document.body.classList.add('vscode-dark'));
})();`;

export interface Harness {
  url: string;
  browser: Browser;
  newPage(): Promise<{ page: Page; problems: string[] }>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-webview-'));
  // Same options as esbuild.config.mjs's webview entry.
  await esbuild.build({ entryPoints: { webview: path.join(ROOT, 'webview', 'main.ts') }, bundle: true,
    platform: 'browser', format: 'iife', target: 'chrome114', outdir: outDir, logLevel: 'error' });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const nonce = 'dGVzdC1ub25jZS0xMjM0NQ==';
  const server = http.createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200,
        { 'content-type': type, 'content-security-policy': webviewCsp(nonce, origin), 'cache-control': 'no-store' });
      res.end(body);
    };
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/') {
      const page = webviewHtml({ scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/webview.css`, nonce,
        cspSource: origin, title: 'test' })
        .replace('<script nonce=', `<script nonce="${nonce}" src="${origin}/stub.js"></script>\n<script nonce=`);
      send('text/html; charset=utf-8', page);
    } else if (url === '/stub.js') send('text/javascript', STUB);
    else if (url === '/dist/webview.js') send('text/javascript', fs.readFileSync(path.join(outDir, 'webview.js')));
    else if (url === '/media/webview.css') send('text/css', fs.readFileSync(path.join(ROOT, 'media', 'webview.css')));
    else if (url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  return {
    url,
    browser,
    async newPage() {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      return { page, problems };
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Loads the page, waits for the webview's `ready` request and answers it with `init`. */
export async function openWith(page: Page, url: string, init: unknown): Promise<void> {
  await page.goto(url);
  await answerReady(page, init);
}

export async function answerReady(page: Page, init: unknown): Promise<void> {
  await page.waitForFunction(() =>
    (window as unknown as { __posted: { body: { type: string } }[] }).__posted?.some((m) => m.body?.type === 'ready'));
  await page.evaluate((body) =>
    (window as unknown as { __replyTo(t: string, b: unknown): boolean }).__replyTo('ready', body), init);
  await page.waitForSelector('body[data-rendered="true"]');
}
