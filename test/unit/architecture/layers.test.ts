// The layer order of src/ read from the imports themselves: no import circle, no import from a lower layer
// to a higher one, neither the engine nor the jobs import `vscode` or a shell, the webview only src/shared,
// and the extension host runs no job itself (it has the worker run them).
// docs/ARCHITECTURE.md explains the order; change both together.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');

/**
 * Lowest first; a module may import its own folder and the folders of the rows above it. Folders in one row
 * (the shells) may not import each other. A folder inside a listed folder belongs to it.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['src/shared'],
  ['src/core/util'],
  ['src/core/onnx'],
  ['src/core/runtime'],
  ['src/core/autodiff'],
  ['src/core/masks'],
  ['src/core/train'],
  ['src/core/data'],
  ['src/core/tasks'],
  ['src/core/protocol'],
  ['src/core/runStore'],
  ['src/core/views'],
  ['src/jobs'],
  ['src/cli', 'src/extension', 'src/worker'],
];

/**
 * What the extension host may run itself (repo-relative prefixes): reading and marking run folders, formatting
 * numbers, atomic writes. Everything else of src/jobs and src/core it may import only as types; jobs reach it
 * through the worker (src/extension/WorkerClient.ts).
 */
const EXTENSION_RUNS = [
  'src/shared/', 'src/extension/', 'src/core/runStore/', 'src/core/views/format.ts', 'src/core/util/',
];

/** Packages only the shells may import. */
const SHELL_ONLY_PACKAGES = new Set(['vscode']);
const SHELLS = new Set(LAYERS[LAYERS.length - 1]);

type ImportGraph = Map<string, string[]>;

/** Relative module specifiers (static, re-export and dynamic imports) and bare package names of a source text. */
function importSpecifiers(source: string): string[] {
  const code = source.split('\n').filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line)).join('\n');
  const found: string[] = [];
  const patterns = [
    /(?:^|[;\s])(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|[;\s])import\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]!);
  return found;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The source without its `import type … from '…'` and `export type … from '…'` statements. */
function withoutTypeImports(source: string): string {
  return source.replace(/(?:^|[;\s])(?:import|export)\s+type\s[^'";]*?\sfrom\s*['"][^'"]+['"]/g, '');
}

/**
 * Repo-relative file → what it imports: repo-relative .ts files, and bare package names. With `runtime`,
 * only what is loaded when the file runs (type-only imports left out).
 */
function readImportGraph(folder: string, { runtime = false } = {}): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(path.join(repoRoot, folder))) {
    const targets: string[] = [];
    const source = fs.readFileSync(file, 'utf8');
    for (const spec of importSpecifiers(runtime ? withoutTypeImports(source) : source)) {
      if (!spec.startsWith('.')) {
        targets.push(spec.replace(/^node:.*/, 'node:'));
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      const candidates = [base, `${base}.ts`, path.join(base, 'index.ts')];
      const resolved = candidates.find((c) => c.endsWith('.ts') && fs.existsSync(c));
      if (resolved) targets.push(path.relative(repoRoot, resolved).split(path.sep).join('/'));
    }
    graph.set(path.relative(repoRoot, file).split(path.sep).join('/'), targets);
  }
  return graph;
}

/** Row index and folder of a repo-relative file, or undefined when no row lists its folder. */
function layerOf(file: string, layers: readonly (readonly string[])[]): { row: number; folder: string } | undefined {
  let best: { row: number; folder: string } | undefined;
  layers.forEach((folders, row) => {
    for (const folder of folders) {
      if (file.startsWith(`${folder}/`) && (!best || folder.length > best.folder.length)) best = { row, folder };
    }
  });
  return best;
}

/** One line per import that goes up the table or sideways between shells, and per file outside the table. */
function layerViolations(
  graph: ImportGraph, layers: readonly (readonly string[])[], shells: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file, layers);
    if (!from) {
      problems.push(`${file} is in no layer of the table`);
      continue;
    }
    for (const target of targets) {
      if (SHELL_ONLY_PACKAGES.has(target)) {
        if (!shells.has(from.folder)) problems.push(`${file} imports '${target}', which only the shells may`);
        continue;
      }
      const to = layerOf(target, layers);
      if (!to) continue;
      const what = `${file} (${from.folder}) imports ${target}`;
      if (to.row > from.row) problems.push(`${what} from the higher layer ${to.folder}`);
      else if (to.row === from.row && to.folder !== from.folder) problems.push(`${what} from the shell ${to.folder}`);
    }
  }
  return problems;
}

/** The import circles: strongly connected components of more than one file, or a file importing itself. */
function importCircles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

describe('layers of src/', () => {
  const graph = readImportGraph('src');

  test('the import reader sees the source tree', () => {
    assert.ok(graph.size > 100, `only ${graph.size} source files found`);
    assert.ok(graph.get('src/jobs/runFind.ts')?.includes('src/core/runStore/RunStore.ts'));
    assert.deepEqual(
      importSpecifiers([
        'import type {', '  A,', "} from './a';", 'export { b } from "../b";', "const c = await import('./c');",
        "// import x from './x';",
      ].join('\n')),
      ['./a', '../b', './c'],
    );
  });

  test('no import circle', () => {
    assert.deepEqual(importCircles(graph).map((c) => c.join(' → ')), []);
  });

  test('no import from a lower layer to a higher one, nor between shells', () => {
    assert.deepEqual(layerViolations(graph, LAYERS, SHELLS), []);
  });

  test('the extension host runs no job itself: src/jobs and the engine only as types, but for the run store', () => {
    const runtime = readImportGraph('src/extension', { runtime: true });
    const direct = [...runtime].flatMap(([file, targets]) => targets
      .filter((t) => t.startsWith('src/') && !EXTENSION_RUNS.some((prefix) => t.startsWith(prefix)))
      .map((t) => `${file} imports ${t}`));
    assert.deepEqual(direct, []);
    const source = "import type { A } from './a';\nimport { b } from './b';\nexport type { C } from './c';";
    assert.deepEqual(importSpecifiers(withoutTypeImports(source)), ['./b']);
  });

  test('the webview imports nothing of src/ but src/shared', () => {
    const outside = [...readImportGraph('webview')].flatMap(([file, targets]) =>
      targets.filter((t) => t.startsWith('src/') && !t.startsWith('src/shared/')).map((t) => `${file} imports ${t}`));
    assert.deepEqual(outside, []);
  });

  test('the checks catch an upward import, a shell importing a shell, vscode in the engine and a circle', () => {
    const bad: ImportGraph = new Map([
      ['src/core/onnx/a.ts', ['src/core/train/b.ts', 'vscode']],
      ['src/core/train/b.ts', ['src/core/onnx/a.ts']],
      ['src/cli/c.ts', ['src/extension/d.ts']],
      ['src/extension/d.ts', ['vscode']],
      ['src/elsewhere/e.ts', []],
    ]);
    assert.deepEqual(layerViolations(bad, LAYERS, SHELLS), [
      'src/core/onnx/a.ts (src/core/onnx) imports src/core/train/b.ts from the higher layer src/core/train',
      "src/core/onnx/a.ts imports 'vscode', which only the shells may",
      'src/cli/c.ts (src/cli) imports src/extension/d.ts from the shell src/extension',
      'src/elsewhere/e.ts is in no layer of the table',
    ]);
    assert.deepEqual(importCircles(bad), [['src/core/onnx/a.ts', 'src/core/train/b.ts']]);
  });
});
