// Lines of at most 120 characters in the code of the folders below, so that a diff or a side-by-side view
// reads without wrapping. Each offender is reported as file:line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles } from '../../support/listFiles';

const repoRoot = path.resolve(__dirname, '../../..');
const MAX_LINE = 120;

/** Folders held to the limit, relative to the repository root (the whole tree); their subfolders are included. */
const CHECKED_FOLDERS = ['src', 'webview', 'scripts', 'test'];

const CODE_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** `file:line (length)` for every line of `file` longer than MAX_LINE characters (code points, as editors count). */
function longLines(file: string): string[] {
  const lines = fs.readFileSync(path.join(repoRoot, file), 'utf8').split(/\r?\n/);
  return lines.flatMap((line, i) => {
    const length = [...line].length;
    return length > MAX_LINE ? [`${file}:${i + 1} (${length} characters)`] : [];
  });
}

describe('line length', () => {
  test('every checked folder exists (a renamed folder must be renamed here too)', () => {
    const missing = CHECKED_FOLDERS.filter((dir) => !fs.existsSync(path.join(repoRoot, dir)));
    assert.deepEqual(missing, [], `folders not found: ${missing.join(', ')}`);
  });

  test(`no line over ${MAX_LINE} characters in the checked folders`, () => {
    const files = CHECKED_FOLDERS.flatMap((dir) => listFiles(path.join(repoRoot, dir)).map((f) => `${dir}/${f}`))
      .filter((file) => CODE_FILE.test(file));
    assert.ok(files.length > 300, `only ${files.length} code files found under ${CHECKED_FOLDERS.join(', ')}`);
    const offenders = files.flatMap(longLines);
    assert.deepEqual(offenders, [], `${offenders.length} lines over ${MAX_LINE} characters:\n${offenders.join('\n')}`);
  });
});
