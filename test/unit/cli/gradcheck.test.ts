import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gradcheck as gradcheckCommand } from '../../../src/cli/commands/gradcheck';
import { gradcheck } from '../../../src/core/train/gradcheck';
import { writeModel } from '../../../src/core/onnx/writeModel';
import { writeNpz } from '../../../src/core/data/writeNpz';
import { arrayData } from '../../../src/core/train/TrainingData';
import type { CliIO } from '../../../src/cli/command';
import { CNN_WEIGHTS, cnnImages, smallCnn } from './cnnModel';

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

const fixture = (file: string) => path.join(__dirname, '..', '..', 'fixtures', file);

/** The fixture's float inputs as an .npz, with labels i mod `classes`. */
function fixtureDataset(name: string, classes: number): string {
  const data = JSON.parse(fs.readFileSync(fixture(`${name}.data.json`), 'utf8')) as {
    inputs: Record<string, { shape: number[]; data: number[] }>;
  };
  const inputs = Object.entries(data.inputs);
  const n = inputs[0]![1].shape[0]!;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `gradcheck-${name}-`)), 'd.npz');
  writeNpz(file, {
    ...Object.fromEntries(inputs.map(([k, a]) => [
      k, { dtype: 'float32' as const, shape: a.shape, data: Float32Array.from(a.data) },
    ])),
    labels: { dtype: 'int64', shape: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % classes)) },
  });
  return file;
}

describe('gradcheck on a small CNN', () => {
  test('analytic mask gradients of Conv+Relu+MaxPool+Flatten+Gemm match finite differences within 1e-5', async () => {
    const { image, labels } = cnnImages(8);
    const batch = arrayData({ image: { data: image, dims: [8, 2, 6, 6] } }, labels).rows([...Array(8).keys()]);
    const report = await gradcheck(smallCnn(), batch, {
      output: 'logits', head: { type: 'classify' }, tensors: CNN_WEIGHTS, samples: 10, beta: 1.5,
    });
    assert.equal(report.tensors.length, 3);
    for (const t of report.tensors) {
      assert.ok(t.maxGradient > 0, `${t.tensor}: zero gradients`);
      assert.ok(t.maxRelativeError <= 1e-5, `${t.tensor}: relative error ${t.maxRelativeError}`);
      assert.ok(t.float32Deviation <= 1e-5, `${t.tensor}: float32 training graph off by ${t.float32Deviation}`);
    }
  });

  test('difference quotients that straddle a Relu or MaxPool kink are re-measured with a smaller step', async () => {
    // Every conv1 coordinate of the small CNN: with h = 1e-3 alone two of them read 6.3e-3 (the stencil
    // crossed a kink); re-measured at h/10 they agree with the analytic gradient.
    const { image, labels } = cnnImages(8);
    const batch = arrayData({ image: { data: image, dims: [8, 2, 6, 6] } }, labels).rows([...Array(8).keys()]);
    const report = await gradcheck(smallCnn(), batch, {
      output: 'logits', head: { type: 'classify' }, tensors: ['conv1.weight'], samples: 72, beta: 1.5,
    });
    const [conv1] = report.tensors;
    assert.ok(conv1!.nearKinks >= 1, `no coordinate needed a smaller step: ${JSON.stringify(conv1)}`);
    assert.equal(conv1!.unresolved, 0);
    assert.ok(conv1!.maxRelativeError <= 1e-5, `relative error ${conv1!.maxRelativeError}`);
  });

  test('the gradcheck command prints one row per tensor and passes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradcheck-cli-'));
    writeModel(path.join(dir, 'cnn.onnx'), smallCnn());
    const { image, labels } = cnnImages(12);
    writeNpz(path.join(dir, 'd.npz'), {
      image: { dtype: 'float32', shape: [12, 2, 6, 6], data: image },
      labels: { dtype: 'int64', shape: [12], data: labels },
    });
    const io = capture();
    const code = await gradcheckCommand.run(
      [path.join(dir, 'cnn.onnx'), '--data', path.join(dir, 'd.npz'), '--samples', '4', '--json'], io,
    );
    const report = JSON.parse(io.stdout);
    assert.equal(code, 0, io.stdout);
    assert.equal(report.passed, true);
    assert.equal(report.rows, 12);
    assert.deepEqual(report.tensors.map((t: { tensor: string }) => t.tensor).sort(), [...CNN_WEIGHTS].sort());
    const text = capture();
    const textArgs = [
      path.join(dir, 'cnn.onnx'), '--data', path.join(dir, 'd.npz'), '--samples', '2', '--tensors', 'fc.weight',
    ];
    assert.equal(await gradcheckCommand.run(textArgs, text), 0);
    assert.match(text.stdout, /^ {2}fc\.weight +\d\.\d+e[-+]\d+ .* ok$/m);
    assert.match(text.stdout, /f32 vs f64/);
  });

  test('a PyTorch-exported transformer layer with Erf checks fully in float64', async () => {
    const io = capture();
    const code = await gradcheckCommand.run(
      [fixture('attention.onnx'), '--data', fixtureDataset('attention', 3), '--samples', '3', '--json'], io,
    );
    const report = JSON.parse(io.stdout);
    assert.equal(report.tensors.length, 5);
    assert.equal(code, 0, JSON.stringify(report.tensors));
  });

  test('coordinates with near-zero gradients do not fail on rounding noise '
    + '(PyTorch MLP fixture, 16 samples)', async () => {
    // fc1.weight has a sampled coordinate with gradient ~7e-9 and a rounding-level error ~2e-13; it used to read 3e-5.
    const io = capture();
    const code = await gradcheckCommand.run(
      [fixture('mlp.onnx'), '--data', fixtureDataset('mlp', 4), '--samples', '16', '--json'], io,
    );
    const report = JSON.parse(io.stdout) as {
      tensors: { tensor: string; maxRelativeError: number; maxAbsoluteError: number }[];
    };
    assert.equal(code, 0, JSON.stringify(report.tensors));
    for (const t of report.tensors) {
      assert.ok(t.maxAbsoluteError < 1e-11, `${t.tensor}: absolute error ${t.maxAbsoluteError}`);
    }
  });

  test('the gradcheck command refuses odd-one-out without a group', async () => {
    await assert.rejects(
      gradcheckCommand.run(['m.onnx', '--data', 'd.npz', '--head', 'odd-one-out'], capture()), /--group K/,
    );
  });
});
