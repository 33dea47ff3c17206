// The generated task workspace the integration tests open: a small inside/contact vision task with a
// quick spec (completes in seconds), a slow spec (to cancel midway) and a spec the engine rejects.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTaskWorkspace } from '../../src/core/tasks/writeTaskWorkspace';
import type { SuiteParams } from './suite/index';

/** A small generated task workspace: quick spec (completes), slow spec (to cancel), bad spec (rejected). */
export function makeWorkspace(root: string): Omit<SuiteParams, 'scenario' | 'resultsFile'> {
  const ws = writeTaskWorkspace(root, {
    task: 'inside-contact',
    seed: 7,
    sizes: { taskTrain: 64, taskValidation: 0, taskTest: 32, train: 64, validation: 0, test: 32 },
    specSeeds: [0],
  });
  const base = JSON.parse(fs.readFileSync(ws.spec, 'utf8'));
  fs.rmSync(ws.spec);
  const write = (name: string, spec: object) => {
    const file = path.join(root, name);
    fs.writeFileSync(file, `${JSON.stringify(spec, null, 2)}\n`);
    return file;
  };
  const spec = write('quick.subnet.json', { ...base, mask: { ...base.mask, epochs: 2, batch: 32 },
    controls: { randomInit: false, randomAblations: 2 }, seeds: [0] });
  const slowSpec = write('slow.subnet.json', { ...base, mask: { ...base.mask, epochs: 5000, batch: 16 },
    controls: { randomInit: false, randomAblations: 0 }, seeds: [0, 1] });
  const badSpec = path.join(root, 'broken', 'bad.subnet.json');
  fs.mkdirSync(path.dirname(badSpec), { recursive: true });
  fs.writeFileSync(badSpec, JSON.stringify({ model: '../model.onnx',
    subroutines: { inside: { train: '../data/A_train.npz', test: '../data/A_test.npz' } } }, null, 2));
  return { spec, slowSpec, badSpec, model: ws.model };
}
