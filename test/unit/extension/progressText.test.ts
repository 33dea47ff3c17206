import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { progressText } from '../../../src/extension/progressText';

describe('progressText', () => {
  test('shows where the job is, its step, loss and kept fraction', () => {
    const text = progressText({
      fraction: 0.4, message: 'training mask', subroutine: 'inside', seed: 1, step: 120, steps: 900,
      loss: 0.41234, keptFraction: 0.0321,
    });
    assert.equal(text, 'inside seed 1 · training mask · step 120/900 · loss 0.412 · kept 3.21 %');
  });

  test('does not repeat the subroutine and step when the engine message already names them', () => {
    const text = progressText({
      fraction: 0.1, phase: 'train-mask', message: 'inside, seed 0: step 8/20000', subroutine: 'inside', seed: 0,
      step: 8, steps: 20000, loss: 1.386, keptFraction: 0.7324,
    });
    assert.equal(text, 'inside, seed 0: step 8/20000 · loss 1.39 · kept 73.2 %');
  });

  test('leaves out what the event does not carry and non-finite numbers', () => {
    assert.equal(progressText({ fraction: 0, message: 'reading the model', loss: Number.NaN }), 'reading the model');
  });
});
