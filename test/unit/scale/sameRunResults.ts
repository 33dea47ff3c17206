// Two run folders hold the same results: byte-equal masks and results.csv, and results.json equal but for
// the run id and the training times.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

function filesUnder(dir: string, sub: string): string[] {
  const root = path.join(dir, sub);
  return fs.readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** results.json without what differs between two runs of the same work: the id and wall times. */
function comparable(file: string): unknown {
  const withoutTimes = (key: string, value: unknown) => (key === 'runId' || key === 'ms' ? undefined : value);
  return JSON.parse(fs.readFileSync(file, 'utf8'), withoutTimes);
}

export function sameRunResults(a: string, b: string): void {
  const masks = filesUnder(a, 'masks');
  assert.ok(masks.length > 0);
  assert.deepEqual(filesUnder(b, 'masks'), masks);
  const bytes = (dir: string, file: string) => fs.readFileSync(path.join(dir, file));
  for (const m of masks) assert.ok(bytes(a, m).equals(bytes(b, m)), `${m} differs`);
  assert.equal(bytes(b, 'results.csv').toString(), bytes(a, 'results.csv').toString());
  assert.deepEqual(comparable(path.join(b, 'results.json')), comparable(path.join(a, 'results.json')));
}
