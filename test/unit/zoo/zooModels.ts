// The model zoo of test/fixtures/zoo/make_zoo.py: real architectures exported by PyTorch, with PyTorch's
// W ⊙ ∂L/∂W. The files (~400 MB) are not committed; they are generated once into test-artifacts/zoo (or
// $ZOO_DIR) with Debian's python3-torch, python3-torchvision and python3-onnx, and regenerated when the
// script changes. Without those packages the zoo tests skip, except under CI=true, where they fail.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'test', 'fixtures', 'zoo', 'make_zoo.py');
const PYTHON = '/usr/bin/python3';

export const ZOO_OPSETS = [13, 17] as const;

export interface ZooEntry {
  description: string;
  inputs: string[];
  classes: number;
  rows: number;
  loss: number;
  files: Record<string, string>;
}

export interface Zoo {
  dir: string;
  models: Record<string, ZooEntry>;
}

/** The generated zoo, or a reason why it cannot be had here (throws under CI=true instead). */
export function openZoo(): Zoo | string {
  const dir = process.env['ZOO_DIR'] ?? path.join(ROOT, 'test-artifacts', 'zoo');
  const stamp = path.join(dir, 'script.sha256');
  const hash = createHash('sha256').update(fs.readFileSync(SCRIPT)).digest('hex');
  const manifest = path.join(dir, 'zoo.json');
  if (!(fs.existsSync(manifest) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash)) {
    const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      const reason = `the model zoo needs ${PYTHON} with torch, torchvision and onnx (apt-get install python3-torch ` +
        `python3-torchvision python3-onnx): ${(probe.error?.message ?? probe.stderr).trim().split('\n').at(-1)}`;
      if (process.env['CI'] === 'true') throw new Error(reason);
      return reason;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    const made = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (made.status !== 0) throw new Error(`make_zoo.py failed (exit ${made.status}): ${made.stderr.slice(-2000)}`);
    fs.writeFileSync(stamp, hash);
  }
  return { dir, models: JSON.parse(fs.readFileSync(manifest, 'utf8')) as Record<string, ZooEntry> };
}
