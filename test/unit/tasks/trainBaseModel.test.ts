import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeTaskWorkspace } from '../../../src/core/tasks/writeTaskWorkspace';
import { trainBaseModel } from '../../../src/core/tasks/trainBaseModel';
import { readModel } from '../../../src/core/onnx/readModel';

const SIZES = { taskTrain: 128, taskValidation: 0, taskTest: 16, train: 4, validation: 0, test: 4 };
const nonZero = (a: Float32Array) => a.reduce((n, x) => n + (x !== 0 ? 1 : 0), 0);

describe('weight-sparse base-model training', () => {
  test('keeps the fraction of every weight matrix and leaves biases and normalisation scales dense', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-sparse-'));
    const ws = writeTaskWorkspace(dir, { task: 'agreement', seed: 1, sizes: SIZES });
    const keep = 0.3;
    await trainBaseModel(dir, {
      seed: 1, epochs: 2, lr: 2e-3, batch: 32, threads: 1, decay: false, sparsity: { keep },
    });
    const trained = readModel(ws.model);
    let matrices = 0, denseVectors = 0;
    for (const t of trained.graph.initializers.values()) {
      if (t.dataType !== 1 || t.dims.length === 0) continue;
      const data = t.data as Float32Array;
      if (t.dims.length >= 2) {
        matrices++;
        assert.equal(nonZero(data), Math.ceil(keep * data.length), t.name);
      } else if (data.length > 3 && nonZero(data) > Math.ceil(keep * data.length)) {
        denseVectors++;
      }
    }
    assert.ok(matrices >= 4, `${matrices} weight matrices`);
    assert.ok(denseVectors > 0, 'every bias / scale vector was cut to the keep fraction too');
  });
});
