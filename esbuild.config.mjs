// One bundle per runtime: extension host, compute child process, CLI (all node/cjs) and the webview (browser/iife).
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // onnxruntime-node ships native binaries and must stay a real module on disk.
  external: ['vscode', 'onnxruntime-node'],
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { worker: 'src/worker/worker.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  // Integration tests that run inside the real extension host (test/vscode/).
  { ...node, entryPoints: { 'test/index': 'test/vscode/suite/index.ts' }, outdir: 'dist' },
  {
    ...common, platform: 'browser', format: 'iife', target: 'chrome114', entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
  },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
