import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { confineModelPath } from '../../../src/extension/confineModelPath';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-'));
const runDir = path.join(workspace, '.subnetwork-lens', 'runs', 'r1');
fs.mkdirSync(runDir, { recursive: true });
fs.writeFileSync(path.join(workspace, 'model.onnx'), '');
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'confine-outside-'));
fs.writeFileSync(path.join(outside, 'secret.onnx'), '');
fs.symlinkSync(path.join(outside, 'secret.onnx'), path.join(workspace, 'link.onnx'));
after(() => {
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('confineModelPath (the model a run.json names)', () => {
  test('accepts a model inside the workspace, absolute or relative to the run folder', () => {
    const model = path.join(workspace, 'model.onnx');
    assert.equal(confineModelPath(model, runDir, [workspace]), model);
    assert.equal(confineModelPath('../../../model.onnx', runDir, [workspace]), model);
  });

  test('refuses ../../etc/passwd, an absolute path elsewhere and a symlink that leads out', () => {
    const secret = path.join(outside, 'secret.onnx');
    const escapes = ['../../../../etc/passwd', '/etc/passwd', secret, path.join(workspace, 'link.onnx')];
    for (const model of escapes) {
      assert.throws(() => confineModelPath(model, runDir, [workspace]), (e: Error) => {
        assert.match(e.message, /run\.json: the model .* lies outside the workspace, so it is not opened/);
        return true;
      }, model);
    }
  });

  test('refuses a model field that is not a path', () => {
    for (const model of [undefined, 3, '', { path: 'x' }]) {
      assert.throws(() => confineModelPath(model, runDir, [workspace]), /field 'model' must be a file path/);
    }
  });
});
