import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { supportedOpsMarkdown } from '../../../scripts/listOps';

describe('README', () => {
  // Regenerate with: node --import tsx scripts/listOps.ts
  test('holds the supported-ops table generated from the registry', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const message = 'README.md "Supported ops" differs from the output of node --import tsx scripts/listOps.ts';
    assert.ok(readme.includes(supportedOpsMarkdown()), message);
  });
});
