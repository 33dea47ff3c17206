// Runs every test suite with node's built-in runner (node 20 takes no glob patterns, so files are listed here):
// unit tests, the webview tests in headless Chromium, the VS Code tests in code-server and the
// end-to-end test of the packaged VSIX (test/e2e).
// Suites whose browser or code-server is missing skip with a message, except under CI=true.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const roots = process.argv.slice(2).length ? process.argv.slice(2)
  : ['test/unit', 'test/webview', 'test/vscode', 'test/e2e'];

function collect(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'suite' || e.name === 'fixtures' ? [] : collect(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const files = roots.flatMap(collect).sort();
if (files.length === 0) {
  console.error('no test files found under', roots.join(', '));
  process.exit(1);
}
// Every temporary folder the tests make goes under one of this run's, removed at the end: a run used to
// leave a few thousand folders (gigabytes with the demo workspaces) in the machine's temp directory.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'subnetwork-lens-tests-'));
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  { stdio: 'inherit', env: { ...process.env, TMPDIR: tmp } });
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(result.status ?? 1);
