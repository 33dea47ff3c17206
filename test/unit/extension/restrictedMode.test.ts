// What Restricted Mode offers, read from the manifest and the webview page: the views are there (the
// views process runs no model there: test/unit/worker/untrustedModels.test.ts), and the page runs no
// script but the extension's own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { webviewCsp, webviewHtml } from '../../../src/extension/webviewHtml';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
const menus = Object.values(manifest.contributes.menus as Record<string, { command: string; when?: string }[]>).flat();

describe('Restricted Mode', () => {
  test('the extension declares limited support for untrusted workspaces', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  test('"Open layer graph" and "Open report" are offered without trust', () => {
    for (const id of ['subnetworkLens.openLayerGraph', 'subnetworkLens.openReport']) {
      const entries = menus.filter((m) => m.command === id);
      assert.ok(entries.length > 0, id);
      for (const m of entries) assert.doesNotMatch(m.when ?? '', /isWorkspaceTrusted/, id);
      const command = manifest.contributes.commands.find((c: { command: string }) => c.command === id);
      assert.doesNotMatch(command.enablement ?? '', /isWorkspaceTrusted/, id);
    }
  });

  test('the graph and report page allows only its own nonce-tagged script, no inline or eval', () => {
    const csp = webviewCsp('n0nce', 'https://cdn.example');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-n0nce'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = webviewHtml({
      scriptUri: 'webview.js', styleUri: 'webview.css', nonce: 'n0nce', cspSource: 'https://cdn.example',
      title: '<script>x</script>',
    });
    assert.equal(html.match(/<script/g)?.length, 1, 'one script tag: the extension\'s own');
    assert.doesNotMatch(html, /<script>x/);
  });
});
