import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { progressText } from '../../../src/extension/progressText';

describe('progressText', () => {
  test('shows where the job is, its step, loss and kept fraction', () => {
    const text = progressText({ fraction: 0.4, message: 'training mask', subroutine: 'inside', seed: 1, step: 120, steps: 900, loss: 0.41234, keptFraction: 0.0321 });
    assert.equal(text, 'inside seed 1 · training mask · step 120/900 · loss 0.412 · kept 3.21 %');
  });

  test('leaves out what the event does not carry and non-finite numbers', () => {
    assert.equal(progressText({ fraction: 0, message: 'reading the model', loss: Number.NaN }), 'reading the model');
  });
});
