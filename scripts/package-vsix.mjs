// Builds a platform-specific VSIX: production bundles plus onnxruntime-node with only the native
// binaries of one target.
//
//   npm run package                       → out/subnetwork-lens-<version>-linux-x64.vsix
//   npm run package -- darwin-arm64       (or --target win32-x64, linux-arm64, win32-arm64)
//   node scripts/package-vsix.mjs --skip-build   (reuse the bundles already in dist/)
//   node scripts/package-vsix.mjs --keep-stage   (keep out/vsix-stage-<target>-<pid>/ to inspect it)
//
// Why a staging folder: `vsce package --no-dependencies` globs the extension folder but always
// leaves out its top-level node_modules/, and with dependency detection vsce would ship every
// platform's binaries (about 290 MB). So the package is assembled in out/vsix-stage-<target>-<pid>/,
// with onnxruntime-node and onnxruntime-common under dist/node_modules/ (Node's module lookup from
// dist/extension.js, dist/worker.js and dist/cli.js finds them there first), and the top-level
// .vscodeignore is applied to that folder.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** VSIX target → onnxruntime-node binary folder (bin/napi-v6/<os>/<arch>); onnxruntime-node 1.30 ships these five. */
const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};

function parseArgs(argv) {
  const opts = { target: 'linux-x64', skipBuild: false, keepStage: false, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--skip-build') opts.skipBuild = true;
    else if (a === '--keep-stage') opts.keepStage = true;
    else if (a === '--target' || a === '-t') opts.target = argv[++i];
    else if (a.startsWith('--target=')) opts.target = a.slice('--target='.length);
    else if (a === '--out' || a === '-o') opts.out = argv[++i];
    else if (a.startsWith('--out=')) opts.out = a.slice('--out='.length);
    else if (!a.startsWith('-')) opts.target = a;
    else fail(`unknown argument "${a}"; ` +
      'usage: package-vsix.mjs [TARGET | --target TARGET] [--out FILE.vsix] [--skip-build] [--keep-stage]');
  }
  if (!(opts.target in TARGETS))
    fail(`unknown target "${opts.target}"; choose one of ${Object.keys(TARGETS).join(', ')}`);
  return opts;
}

function fail(message) {
  console.error(`[package] ${message}`);
  process.exit(1);
}

function run(cmd, args) {
  console.log(`[package] ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** Copies `from` (file or folder) to `to`, keeping only files for which keep(relativePath) is true. */
function copy(from, to, keep = () => true, rel = '') {
  const st = fs.statSync(from);
  if (st.isDirectory()) {
    for (const e of fs.readdirSync(from)) copy(path.join(from, e), path.join(to, e), keep, rel ? `${rel}/${e}` : e);
  } else if (keep(rel)) {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
    fs.chmodSync(to, st.mode);
  }
}

function sizeOf(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? sizeOf(p) : fs.statSync(p).size;
  }
  return n;
}

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const out = path.resolve(ROOT, opts.out ?? path.join('out', `${pkg.name}-${pkg.version}-${opts.target}.vsix`));
  // Per process, so that two packagings at once (parallel test runs) do not share a folder.
  const stage = path.join(ROOT, 'out', `vsix-stage-${opts.target}-${process.pid}`);
  const t0 = Date.now();

  const bundles = ['extension.js', 'worker.js', 'cli.js', 'webview.js'];
  if (!opts.skipBuild) {
    // Minified bundles without source maps; dist/ gets the development build back afterwards.
    run(process.execPath, ['esbuild.config.mjs', '--production']);
  }
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(path.join(stage, 'dist'), { recursive: true });
  for (const b of bundles) {
    const f = path.join(ROOT, 'dist', b);
    if (!fs.existsSync(f)) fail(`${path.relative(ROOT, f)} is missing; run npm run build`);
    fs.copyFileSync(f, path.join(stage, 'dist', b));
  }
  if (!opts.skipBuild) run(process.execPath, ['esbuild.config.mjs']);

  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore', 'media', 'schemas']) {
    if (fs.existsSync(path.join(ROOT, f))) copy(path.join(ROOT, f), path.join(stage, f));
  }

  // onnxruntime-node: its JS, package.json and one platform's binaries; onnxruntime-common: the CJS build
  // (with its package.json saying "type": "commonjs").
  const ort = path.join(ROOT, 'node_modules', 'onnxruntime-node');
  const binDir = `bin/napi-v6/${TARGETS[opts.target]}`;
  if (!fs.existsSync(path.join(ort, binDir, 'onnxruntime_binding.node'))) {
    fail(`${path.relative(ROOT, path.join(ort, binDir))}/onnxruntime_binding.node is missing; ` +
      'reinstall onnxruntime-node with its binaries');
  }
  const stageModules = path.join(stage, 'dist', 'node_modules');
  copy(ort, path.join(stageModules, 'onnxruntime-node'), (rel) =>
    rel === 'package.json' || rel === 'README.md' || /^dist\/[^/]+\.js$/.test(rel) || rel.startsWith(`${binDir}/`));
  copy(path.join(ROOT, 'node_modules', 'onnxruntime-common'), path.join(stageModules, 'onnxruntime-common'), (rel) =>
    rel === 'package.json' || rel === 'README.md'
      || (rel.startsWith('dist/cjs/') && (rel.endsWith('.js') || rel.endsWith('package.json'))));
  // The package's own license texts travel with it.
  for (const dir of ['onnxruntime-node', 'onnxruntime-common']) {
    for (const f of ['LICENSE', 'LICENSE.txt', 'ThirdPartyNotices.txt']) {
      const src = path.join(ROOT, 'node_modules', dir, f);
      if (fs.existsSync(src)) fs.copyFileSync(src, path.join(stageModules, dir, f));
    }
  }
  console.log(`[package] staged ${mb(sizeOf(stage))} in ${path.relative(ROOT, stage)}`);

  fs.mkdirSync(path.dirname(out), { recursive: true });
  // vsce writes to a temp name; the rename makes the finished VSIX appear at once.
  const partial = `${out}.${process.pid}.partial.vsix`;
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const args = [vsce, 'package', '--no-dependencies', '--target', opts.target, '--out', partial,
    '--allow-missing-repository', '--no-rewrite-relative-links'];
  if (!fs.existsSync(path.join(stage, 'LICENSE'))) args.push('--skip-license');
  console.log(`[package] vsce ${args.slice(1).join(' ')}`);
  const r = spawnSync(process.execPath, args, { cwd: stage, stdio: 'inherit' });
  if (r.status !== 0)
    fail(`vsce package exited with ${r.status ?? r.signal}; the staging folder ${path.relative(ROOT, stage)} is kept`);
  fs.renameSync(partial, out);
  if (!opts.keepStage) fs.rmSync(stage, { recursive: true, force: true });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`[package] ${path.relative(ROOT, out)}: ${mb(fs.statSync(out).size)} (${opts.target}) in ${seconds} s`);
}

main();
