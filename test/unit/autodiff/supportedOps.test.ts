import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { supportedOpsMarkdown } from '../../../scripts/listOps';

describe('README', () => {
  test('holds the supported-ops table generated from the registry (regenerate: node --import tsx scripts/listOps.ts)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    assert.ok(readme.includes(supportedOpsMarkdown()), 'README.md "Supported ops" differs from scripts/listOps.ts output');
  });
});
