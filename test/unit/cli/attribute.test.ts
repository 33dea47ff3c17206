import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attribute } from '../../../src/cli/commands/attribute';
import { readArrays } from '../../../src/core/data/openDataset';
import { writeNpz } from '../../../src/core/data/writeNpz';
import { readModel } from '../../../src/core/onnx/readModel';
import { capture, toNamed, type JsonArray } from '../../support/cliArrays';

const root = path.join(__dirname, '..', '..', '..');
const fixtures = path.join(root, 'test', 'fixtures');

interface FixtureEntry { name: string; file: string; data: string; attribution?: string }

const table = JSON.parse(fs.readFileSync(path.join(fixtures, 'fixtures.json'), 'utf8')) as { fixtures: FixtureEntry[] };

describe('subnetwork-lens attribute', () => {
  for (const fx of table.fixtures.filter((f) => f.attribution)) {
    test(`matches PyTorch autograd W ⊙ ∂L/∂W on the ${fx.name} fixture within 1e-4`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `attribute-${fx.name}-`));
      const data = JSON.parse(fs.readFileSync(path.join(fixtures, fx.data), 'utf8')) as {
        inputs: Record<string, JsonArray>;
      };
      const ref = JSON.parse(fs.readFileSync(path.join(fixtures, fx.attribution!), 'utf8')) as {
        labels: JsonArray; values: Record<string, JsonArray>;
      };
      const arrays = Object.fromEntries(Object.entries(data.inputs).map(([k, v]) => [k, toNamed(v)]));
      writeNpz(path.join(dir, 'd.npz'), { ...arrays, labels: toNamed(ref.labels) });
      const out = path.join(dir, 'scores.safetensors');
      const io = capture();
      const args = [path.join(fixtures, fx.file), '--data', path.join(dir, 'd.npz'), '--out', out];
      assert.equal(await attribute.run(args, io), 0, io.stderr);
      const got = readArrays(out);
      const model = readModel(path.join(fixtures, fx.file));
      const maskable = [...model.graph.initializers.values()]
        .filter((t) => t.dataType === 1 && t.dims.length >= 2)
        .map((t) => t.name)
        .sort();
      assert.deepEqual(Object.keys(got).sort(), maskable);
      for (const name of maskable) {
        const want = ref.values[name]!;
        const have = got[name]!;
        assert.equal(have.dtype, 'float32');
        assert.deepEqual(have.shape, want.shape, name);
        let scale = 0, worst = 0;
        for (let i = 0; i < want.data.length; i++) {
          scale = Math.max(scale, Math.abs(want.data[i]!));
          worst = Math.max(worst, Math.abs(Number(have.data[i]) - want.data[i]!));
        }
        assert.ok(scale > 0, `${name}: reference is all zeros`);
        assert.ok(worst / scale <= 1e-4, `${name}: max |ours − torch| / max |torch| = ${worst / scale}`);
      }
      assert.match(
        io.stdout,
        new RegExp(`wrote .*scores\\.safetensors: W ⊙ ∂L/∂W for ${maskable.length} tensors over 4 examples`),
      );
    });
  }

  test('names the missing --out option', async () => {
    await assert.rejects(attribute.run(['m.onnx', '--data', 'd.npz'], capture()), /needs --out/);
  });
});
