import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCOPE_LAYERS, SCOPE_SPEC_DIRS, scopeSpecs } from '../../../src/jobs/runDemo';

const LATE_SPEC_DIR = SCOPE_SPEC_DIRS.late;

function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scope-specs-'));
  const spec = {
    model: 'model.onnx',
    subroutines: { A: { train: 'data/A_train.npz', test: 'data/A_test.npz' } },
    task: { test: 'data/task.npz' },
    mask: { lambda: 1e-5 },
  };
  fs.writeFileSync(path.join(dir, 't.subnet.json'), JSON.stringify(spec));
  return path.join(dir, 't.subnet.json');
}

describe('demo mask-scope specs', () => {
  test('late writes a copy with rebased paths and the include globs', () => {
    const spec = workspace();
    const specs = scopeSpecs(spec, ['all', 'late'], 'vision');
    assert.equal(specs.get('all'), spec);
    const late = JSON.parse(fs.readFileSync(specs.get('late')!, 'utf8'));
    assert.equal(path.dirname(specs.get('late')!), path.join(path.dirname(spec), LATE_SPEC_DIR));
    assert.equal(late.model, '../model.onnx');
    assert.deepEqual(late.subroutines.A, { train: '../data/A_train.npz', test: '../data/A_test.npz' });
    assert.deepEqual(late.mask, { lambda: 1e-5, include: SCOPE_LAYERS.late.vision });
  });

  test('post-stem leaves out the stem and the embeddings', () => {
    const spec = workspace();
    const postStem = JSON.parse(fs.readFileSync(scopeSpecs(spec, ['post-stem'], 'language').get('post-stem')!, 'utf8'));
    assert.deepEqual(postStem.mask.include, ['encoder.*', 'head.*']);
    assert.equal(postStem.model, '../model.onnx');
    assert.ok(!fs.existsSync(path.join(path.dirname(spec), SCOPE_SPEC_DIRS.late)));
  });

  test('a run without late removes the late spec an earlier run left', () => {
    const spec = workspace();
    scopeSpecs(spec, ['all', 'late'], 'vision');
    assert.ok(fs.existsSync(path.join(path.dirname(spec), LATE_SPEC_DIR)));
    assert.deepEqual([...scopeSpecs(spec, ['all'], 'vision').keys()], ['all']);
    assert.ok(!fs.existsSync(path.join(path.dirname(spec), LATE_SPEC_DIR)));
  });
});
