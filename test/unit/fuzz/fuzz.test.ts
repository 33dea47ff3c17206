// Seeded, bounded fuzzing of every file the engine reads: valid ONNX, npz (stored and deflated), npy,
// safetensors and spec files are mutated (bit flips, truncations, inserted bytes, length fields set
// to extreme values, header text edits) and read. Every outcome must be a success or one of our error
// classes with a one-line message; no other exception, no stack trace, no file left behind.
// A few mutated datasets then go through a whole `find`: none may end "complete" from data the
// readers refuse, and nothing may be written outside the run folder.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../../src/core/util/random';
import { decodeModel } from '../../../src/core/onnx/readModel';
import { encodeModel } from '../../../src/core/onnx/writeModel';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { DataType } from '../../../src/core/onnx/ir';
import { OnnxFormatError } from '../../../src/core/onnx/errors';
import { readArrays } from '../../../src/core/data/openDataset';
import { loadSpec } from '../../../src/core/data/loadSpec';
import { encodeNpz } from '../../../src/core/data/writeNpz';
import { encodeNpy } from '../../../src/core/data/npyFormat';
import { encodeSafetensors } from '../../../src/core/data/writeSafetensors';
import { DataError, SpecError } from '../../../src/core/data/errors';
import type { NamedArray } from '../../../src/core/data/dtype';
import { find } from '../../../src/cli/commands/find';
import type { CliIO } from '../../../src/cli/command';
import type { RunInfo } from '../../../src/shared/results';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';

// Temporary files go to a private folder (os.tmpdir() follows TMPDIR), so that test files running in
// parallel cannot make the check below see their files.
const privateTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-fuzz-tmp-'));
process.env.TMPDIR = privateTmp;

/** What is left in the private temporary folder besides the test's own folders. */
function subnetworkLensTemps(): string[] {
  return fs.readdirSync(privateTmp).filter((f) => !f.startsWith('sl-fuzz-')).sort();
}

const SEED = 15;
/** Cases per format (× 6 formats); FUZZ_CASES overrides it for longer local runs. */
const CASES = Number(process.env.FUZZ_CASES ?? 900);
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

function mutate(valid: Uint8Array, rng: Rng): Uint8Array {
  let b = valid.slice();
  const steps = 1 + rng.int(3);
  for (let s = 0; s < steps; s++) {
    const at = rng.int(Math.max(1, b.length));
    switch (rng.int(6)) {
      case 0: // bit flips
        for (let k = 0, n = 1 + rng.int(8); k < n; k++) { const i = rng.int(b.length); b[i]! ^= 1 << rng.int(8); }
        break;
      case 1: // truncation
        b = b.slice(0, at);
        break;
      case 2: { // inserted bytes
        const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
        const next = new Uint8Array(b.length + extra.length);
        next.set(b.subarray(0, at)); next.set(extra, at); next.set(b.subarray(at), at + extra.length);
        b = next;
        break;
      }
      case 3: // a length or offset field (any 2, 4 or 8 aligned-or-not bytes) set to an extreme value
        if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at, INTERESTING[rng.int(INTERESTING.length)]!, true);
        break;
      case 4: // a digit in a text header (npy dict, safetensors JSON, spec) changed
        editText(b, rng);
        break;
      default: // one byte set to an extreme value
        b[at] = INTERESTING[rng.int(5)]! & 0xff;
    }
  }
  return b;
}

/** Replaces a run of ASCII digits with another number (possibly negative, fractional or huge). */
function editText(b: Uint8Array, rng: Rng): void {
  const digits: number[] = [];
  for (let i = 0; i < Math.min(b.length, 4096); i++) if (b[i]! >= 0x30 && b[i]! <= 0x39) digits.push(i);
  if (digits.length === 0) return;
  const i = digits[rng.int(digits.length)]!;
  const replacement = ['-', '9', '.', 'e', '0', '1'][rng.int(6)]!;
  b[i] = replacement.charCodeAt(0);
}

const arrays = (): Record<string, NamedArray> => ({
  x: { dtype: 'float32', shape: [6, 3], data: new Float32Array(18).map((_, i) => i / 7) },
  labels: { dtype: 'int64', shape: [6], data: BigInt64Array.from([0n, 1n, 1n, 0n, 1n, 0n]) },
  m: { dtype: 'uint8', shape: [2, 2], data: Uint8Array.from([0, 1, 1, 0]) },
});

function validModel(): Uint8Array {
  return encodeModel(makeModel({
    inputs: [{ name: 'x', shape: ['batch', 3] }], outputs: [{ name: 'y', shape: ['batch', 2] }],
    initializers: [
      makeTensor('W', DataType.FLOAT, [3, 2], [1, 2, 3, 4, 5, 6]), makeTensor('b', DataType.FLOAT, [2], [0.5, -0.5]),
    ],
    nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['h'] }, { op: 'Add', inputs: ['h', 'b'], outputs: ['y'] }],
  })).model;
}

/** True when the failure is acceptable: one of our error classes, one line, no stack frames. */
function isCleanRefusal(e: unknown): boolean {
  if (!(e instanceof DataError || e instanceof SpecError || e instanceof OnnxFormatError)) return false;
  return !e.message.includes('\n') && !/\bat .+:\d+:\d+/.test(e.message);
}

interface Format {
  name: string;
  ext: string;
  valid: () => Uint8Array;
  read: (file: string) => void;
}

describe('fuzzing the readers with mutated valid files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-fuzz-'));
  // The spec's files exist, so mutated specs are checked past the schema too.
  const workspace = path.join(dir, 'ws');
  fs.mkdirSync(workspace);
  for (const f of ['model.onnx', 'a.npz', 'b.npz']) fs.writeFileSync(path.join(workspace, f), '');
  const validSpec = JSON.stringify({
    model: 'model.onnx', output: 'y', head: { type: 'odd-one-out', group: 3 },
    subroutines: { A: { train: 'a.npz', test: 'b.npz' }, B: { train: 'b.npz', test: 'a.npz' } },
    mask: { method: 'continuous-sparsification', lambda: 0.01, epochs: 2, temperature: [1, 200] }, seeds: [0, 1],
  }, null, 1);
  const formats: Format[] = [
    { name: 'ONNX', ext: '.onnx', valid: validModel, read: (f) => { decodeModel(fs.readFileSync(f), { file: f }); } },
    { name: 'stored npz', ext: '.npz', valid: () => encodeNpz(arrays()), read: readArrays },
    { name: 'deflated npz', ext: '.npz', valid: () => encodeNpz(arrays(), { compress: true }), read: readArrays },
    { name: 'npy', ext: '.npy', valid: () => encodeNpy(arrays().x!), read: readArrays },
    {
      name: 'safetensors', ext: '.safetensors', read: readArrays,
      valid: () => encodeSafetensors(arrays(), { note: 'fuzz' }),
    },
    {
      name: 'spec', ext: '.subnet.json', valid: () => new TextEncoder().encode(validSpec),
      read: (f) => { loadSpec(f, { workspaceRoot: workspace }); },
    },
  ];

  for (const format of formats) {
    test(`${CASES} mutated ${format.name} files: read or refused cleanly`, () => {
      const rng = Rng.derive(SEED, format.name);
      const valid = format.valid();
      const file = path.join(format.name === 'spec' ? workspace : dir, `case${format.ext}`);
      fs.writeFileSync(file, valid);
      format.read(file); // the unmutated file is read
      const tempsBefore = subnetworkLensTemps();
      let refused = 0;
      for (let c = 0; c < CASES; c++) {
        const bytes = mutate(valid, rng);
        fs.writeFileSync(file, bytes);
        try {
          format.read(file);
        } catch (e) {
          if (!isCleanRefusal(e)) {
            const sample = Buffer.from(bytes).toString('base64');
            const what = `${(e as Error)?.name}: ${(e as Error)?.message}`;
            assert.fail(`case ${c} of ${format.name}: ${what} — file (base64): ${sample.slice(0, 400)}`);
          }
          refused++;
        }
      }
      assert.deepEqual(subnetworkLensTemps(), tempsBefore, 'temporary files were left behind');
      assert.ok(refused > CASES / 4, `only ${refused} of ${CASES} mutations were refused`);
    });
  }
});



function listTree(root: string): string[] {
  return fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();
}

describe('fuzzed datasets through a whole run', () => {
  test('no run completes from refused training data; nothing is written outside the run folder', async () => {
    const rng = Rng.derive(SEED, 'find');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-fuzz-find-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 1 }, {
      controls: { randomInit: false, randomAblations: 1, ablationModes: ['zero'] },
    });
    const train = path.join(dir, 'data/A_train.npz');
    const valid = fs.readFileSync(train);
    let runs = 0;
    for (let c = 0; runs < 3 && c < 200; c++) {
      const bytes = mutate(valid, rng);
      fs.writeFileSync(train, bytes);
      try { readArrays(train); continue; } catch { /* refused by the reader: run it */ }
      runs++;
      const before = listTree(dir);
      const tempsBefore = subnetworkLensTemps();
      const out = path.join(dir, `run-${c}`);
      const io: CliIO = { out: () => {}, err: () => {} };
      await assert.rejects(
        find.run([spec, '--out', out, '--seeds', '0', '--threads', '1'], io),
        (e: unknown) => isCleanRefusal(e),
      );
      const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
      assert.equal(run.status, 'failed');
      const added = listTree(dir).filter((f) => !before.includes(f) && !f.startsWith(`run-${c}`));
      assert.deepEqual(added, [], 'files written outside the run folder');
      assert.deepEqual(subnetworkLensTemps(), tempsBefore);
    }
    assert.equal(runs, 3);
  });
});
