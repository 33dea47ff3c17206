import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSpec, selectInitializers } from '../../../src/core/data/loadSpec';
import { SpecError } from '../../../src/core/data/errors';

/** The exact spec of issue 4 item 1. */
const ISSUE_SPEC = `{"model": "model.onnx", "output": "z", "head": {"type": "odd-one-out", "group": 4},
 "subroutines": {"A": {"train": "data/A_train.npz", "test": "data/A_test.npz"},
                 "B": {"train": "data/B_train.npz", "test": "data/B_test.npz"}},
 "task": {"test": "data/task.npz"},
 "mask": {"method": "continuous-sparsification", "init": 0.05, "lambda": 1e-8, "lr": 0.05,
          "epochs": 30, "batch": 64, "temperature": [1, 200]},
 "seeds": [0, 1, 2]}`;

function workspace(): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sl-spec-')));
  fs.mkdirSync(path.join(root, 'data'));
  for (const f of ['model.onnx', 'data/A_train.npz', 'data/A_test.npz', 'data/B_train.npz',
    'data/B_test.npz', 'data/task.npz']) {
    fs.writeFileSync(path.join(root, f), '');
  }
  return root;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function specWith(root: string, edit: (s: Record<string, any>) => void, name = 'task.subnet.json'): string {
  const s = JSON.parse(ISSUE_SPEC);
  edit(s);
  const file = path.join(root, name);
  fs.writeFileSync(file, JSON.stringify(s));
  return file;
}

function assertSpecError(fn: () => unknown, field: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SpecError, `not a SpecError: ${e}`);
    assert.equal(e.field, field);
    assert.match(e.message, re);
    assert.ok(e.message.includes(e.file) && e.file.endsWith('.subnet.json'), e.message);
    return true;
  });
}

describe('loadSpec', () => {
  test('loads the exact spec of issue 4 with paths resolved and defaults filled in', () => {
    const root = workspace();
    const file = path.join(root, 'task.subnet.json');
    fs.writeFileSync(file, ISSUE_SPEC);
    const s = loadSpec(file, { workspaceRoot: root });
    assert.equal(s.model, path.join(root, 'model.onnx'));
    assert.equal(s.output, 'z');
    assert.deepEqual(s.head, { type: 'odd-one-out', group: 4 });
    assert.deepEqual(s.subroutines['B'],
      { train: path.join(root, 'data/B_train.npz'), test: path.join(root, 'data/B_test.npz') });
    assert.equal(s.task?.test, path.join(root, 'data/task.npz'));
    assert.deepEqual(s.mask, {
      method: 'continuous-sparsification', include: [], exclude: [], granularity: 'weight',
      init: 0.05, lambda: 1e-8, optimizer: 'adam', lr: 0.05, epochs: 30, batch: 64, temperature: [1, 200], keep: 0.1,
      keepScope: 'tensor',
    });
    assert.deepEqual(s.controls, { randomInit: true, randomAblations: 100, ablationModes: ['zero'] });
    assert.deepEqual(s.seeds, [0, 1, 2]);
    assert.deepEqual(s.verdict, { alpha: 0.05, minSubnetworkAccuracy: 0.9, nearChance: 0.1 });
    assert.deepEqual([s.inputs, s.labels], [{}, 'labels']);
  });

  test('fills the paper defaults when mask, head and seeds are left out', () => {
    const root = workspace();
    const s = loadSpec(specWith(root, (x) => { delete x.mask; delete x.head; delete x.seeds; delete x.task; }));
    assert.deepEqual([s.mask.init, s.mask.lambda, s.mask.lr, s.mask.epochs, s.mask.batch, s.mask.temperature],
      [0.05, 1e-8, 0.01, 90, 64, [1, 200]]);
    assert.deepEqual(s.head, { type: 'classify' });
    assert.deepEqual(s.seeds, [0, 1, 2]);
    assert.equal(s.task, undefined);
  });

  test('rejects an unknown field, naming it and the allowed ones', () => {
    const root = workspace();
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.mask.learningRate = 1; })), '/mask/learningRate',
      /unknown field 'learningRate' \(allowed: method, include/);
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.subroutines.A.tset = 'a'; })), '/subroutines/A/tset',
      /unknown field 'tset' \(allowed: train, test, validation\)/);
  });

  test('rejects a value of the wrong type', () => {
    const root = workspace();
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.mask.epochs = '30'; })),
      '/mask/epochs', /must be integer/);
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.seeds = [0, -1]; })), '/seeds/1', /must be >= 0/);
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.mask.method = 'lottery'; })), '/mask/method',
      /must be one of "continuous-sparsification"/);
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.head = { type: 'odd-one-out' }; })),
      '/head', /odd-one-out/);
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.mask.temperature = [200, 1]; })), '/mask/temperature',
      /annealed upwards/);
  });

  test('reads the verdict thresholds and rejects ones out of range', () => {
    const root = workspace();
    assert.deepEqual(loadSpec(specWith(root, (x) => { x.verdict = { minSubnetworkAccuracy: 0.8 }; })).verdict,
      { alpha: 0.05, minSubnetworkAccuracy: 0.8, nearChance: 0.1 });
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.verdict = { minSubnetworkAccuracy: 1.2 }; })),
      '/verdict/minSubnetworkAccuracy', /must be <= 1/);
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.verdict = { alpha: 0 }; })),
      '/verdict/alpha', /must be > 0/);
  });

  test('rejects a spec with one subroutine', () => {
    const root = workspace();
    assertSpecError(() => loadSpec(specWith(root, (x) => { delete x.subroutines.B; })), '/subroutines',
      /at least two subroutines/);
  });

  test('rejects reserved subroutine names and a missing required field', () => {
    const root = workspace();
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.subroutines.task = x.subroutines.B; })), '/subroutines',
      /invalid name 'task'/);
    assertSpecError(() => loadSpec(specWith(root, (x) => { delete x.subroutines.A.test; })),
      '/subroutines/A/test', /is required/);
    assertSpecError(() => loadSpec(specWith(root, (x) => { delete x.model; })), '/model', /is required/);
  });

  test('rejects a path that leaves the workspace, directly or through a symbolic link', () => {
    const root = workspace();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-outside-'));
    fs.writeFileSync(path.join(outside, 'x.npz'), '');
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.task.test = '../x.npz'; })), '/task/test',
      /path '..\/x.npz' leaves the workspace/);
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.model = path.join(outside, 'x.npz'); })), '/model',
      /leaves the workspace/);
    fs.symlinkSync(path.join(outside, 'x.npz'), path.join(root, 'data/link.npz'));
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.subroutines.B.train = 'data/link.npz'; })),
      '/subroutines/B/train', /through a symbolic link/);
  });

  test('rejects a missing data file, naming the field', () => {
    const root = workspace();
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.subroutines.A.train = 'data/nope.npz'; })),
      '/subroutines/A/train', /file not found: 'data\/nope.npz'/);
  });

  test('requires validation files for a hyper-parameter search', () => {
    const root = workspace();
    assertSpecError(() => loadSpec(specWith(root, (x) => { x.hyperparameterSearch = { lr: [0.01, 0.001] }; })),
      '/subroutines/A/validation', /selects on validation data/);
  });

  test('reports malformed JSON with the file named', () => {
    const root = workspace();
    const file = path.join(root, 'bad.subnet.json');
    fs.writeFileSync(file, '{"model": ');
    assertSpecError(() => loadSpec(file), '', /not valid JSON/);
  });
});

describe('selectInitializers', () => {
  test('keeps names matching include globs and drops excluded ones', () => {
    const names = ['conv1.weight', 'conv1.bias', 'fc.weight', '/enc/layer.0/attn/q.weight'];
    assert.deepEqual(selectInitializers(names, ['*.weight'], ['fc.*']), ['conv1.weight', '/enc/layer.0/attn/q.weight']);
    assert.deepEqual(selectInitializers(names, [], ['*bias']),
      ['conv1.weight', 'fc.weight', '/enc/layer.0/attn/q.weight']);
    assert.deepEqual(selectInitializers(names, ['conv?.weight'], []), ['conv1.weight']);
  });
});
