// Smaller lies and accidents: each gets a one-line message naming what is wrong, and nothing printed
// carries a control character from the files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { main } from '../../../src/cli/cli';
import type { CliIO } from '../../../src/cli/command';
import { commands } from '../../../src/cli/commands/index';
import { find } from '../../../src/cli/commands/find';
import { encodeModel } from '../../../src/core/onnx/writeModel';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { DataType } from '../../../src/core/onnx/ir';
import { writeSafetensors } from '../../../src/core/data/writeSafetensors';
import type { RunInfo } from '../../../src/shared/results';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sl-hostile-cli-'));

/** A one-MatMul model's proto, for editing fields the IR builders would not let through. */
function modelProto() {
  return fromBinary(ModelProtoSchema, encodeModel(makeModel({
    inputs: [{ name: 'x', shape: [1, 8] }], outputs: [{ name: 'y' }],
    initializers: [makeTensor('W', DataType.FLOAT, [8, 8], new Array(64).fill(0.5))],
    nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }],
  })).model);
}

async function cli(args: string[]) {
  const io = capture();
  const code = await main(args, io, commands);
  return { code, ...io };
}

describe('hostile or careless inputs on the command line', () => {
  test('inspect refuses a weight with a negative dimension', async () => {
    const file = path.join(tmp(), 'neg.onnx');
    const proto = modelProto();
    proto.graph!.initializer[0]!.dims = [-8n, -8n];
    proto.graph!.initializer[0]!.rawData = new Uint8Array(0);
    proto.graph!.initializer[0]!.floatData = [];
    fs.writeFileSync(file, toBinary(ModelProtoSchema, proto));
    const r = await cli(['inspect', file]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^subnetwork-lens: .*neg\.onnx.*tensor 'W' has dimension -8 in its shape \[-8, -8\]; dimensions must be ≥ 0\n$/,
    );
  });

  test('external data that is a folder is named as such', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'weights.bin'));
    const proto = modelProto();
    const w = proto.graph!.initializer[0]!;
    w.rawData = new Uint8Array(0);
    w.floatData = [];
    w.dataLocation = 1;
    w.externalData = [{ $typeName: 'onnx.StringStringEntryProto', key: 'location', value: 'weights.bin' }];
    fs.writeFileSync(path.join(dir, 'm.onnx'), toBinary(ModelProtoSchema, proto));
    const r = await cli(['inspect', path.join(dir, 'm.onnx')]);
    assert.match(
      r.stderr,
      /^subnetwork-lens: .*m\.onnx: external data location 'weights\.bin' is a folder, not a file\n$/,
    );
  });

  test('escape sequences in a producer name never reach the terminal', async () => {
    const file = path.join(tmp(), 'esc.onnx');
    const proto = modelProto();
    proto.producerName = 'evil\x1b]0;owned\x07\x1b[2J\x9b31m';
    fs.writeFileSync(file, toBinary(ModelProtoSchema, proto));
    const r = await cli(['inspect', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /producer evil\]0;owned\[2J31m/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  test('export checks a mask\'s shape and its values, not only its element count', async () => {
    const dir = tmp();
    const model = path.join(dir, 'm.onnx');
    fs.writeFileSync(model, toBinary(ModelProtoSchema, modelProto()));
    const flat = path.join(dir, 'flat.safetensors');
    writeSafetensors(flat, { W: { dtype: 'uint8', shape: [64], data: new Uint8Array(64).fill(1) } });
    const twos = path.join(dir, 'twos.safetensors');
    writeSafetensors(twos, { W: { dtype: 'uint8', shape: [8, 8], data: new Uint8Array(64).fill(1).fill(2, 9, 10) } });
    const out = path.join(dir, 'out.onnx');
    const a = await cli(['export', model, '--mask', flat, '--keep', '-o', out]);
    assert.match(a.stderr, /flat\.safetensors: array 'W': mask shape \[64\] is not the initializer's shape \[8, 8\]/);
    const b = await cli(['export', model, '--mask', twos, '--keep', '-o', out]);
    assert.match(b.stderr, /twos\.safetensors: array 'W': mask value 2 at element 9 is not 0 or 1\n$/);
    assert.equal(fs.existsSync(out), false);
  });

  test('a spec output that the model lacks is named, with the outputs it has', async () => {
    const dir = tmp();
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 1 }, { output: 'nope' });
    const io = capture();
    await assert.rejects(
      find.run([spec, '--seeds', '0', '--threads', '1'], io),
      /planted\.subnet\.json: field '\/output': no output named nope \(the model's outputs: logits\)/,
    );
  });

  test('subroutines named constructor and toString keep their timings', async () => {
    const dir = tmp();
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 1 }, {
      subroutines: {
        constructor: { train: 'data/A_train.npz', test: 'data/A_test.npz' },
        toString: { train: 'data/B_train.npz', test: 'data/B_test.npz' },
      },
      controls: { randomInit: false, randomAblations: 1, ablationModes: ['zero'] },
    });
    const out = path.join(dir, 'run');
    const io = capture();
    assert.equal(await find.run([spec, '--out', out, '--seeds', '0', '--threads', '1'], io), 0, io.stderr);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
    assert.deepEqual(Object.keys(run.timings.perSubroutine).sort(), ['constructor', 'toString']);
    for (const t of Object.values(run.timings.perSubroutine)) assert.ok(t.maskTrainingMs > 0);
  });
});

