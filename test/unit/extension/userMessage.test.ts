import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { userMessage } from '../../../src/extension/userMessage';

describe('userMessage', () => {
  test('names what failed and keeps the engine message', () => {
    const e = Object.assign(new Error(`spec.subnet.json: 'head.group' must be ≥ 2, got 1`), { name: 'SpecError' });
    assert.equal(
      userMessage(e, 'Find subnetworks'),
      `Find subnetworks failed. The task spec is invalid: spec.subnet.json: 'head.group' must be ≥ 2, got 1.`,
    );
  });

  test('never shows stack frames even when a message carries them', () => {
    const msg = 'boom\n    at run (/x/src/core/a.ts:10:5)\n    at async main (/x/b.js:1:2)';
    const text = userMessage({ name: 'TrainerError', message: msg });
    assert.equal(text, 'Training failed: boom.');
  });

  test('reports a cancellation as such, not as a failure', () => {
    assert.equal(
      userMessage({ name: 'AbortError', message: 'cancelled' }, 'Ablate subnetwork'),
      'Ablate subnetwork: cancelled.',
    );
  });

  test('falls back to the message for unknown error classes and to the string for non-errors', () => {
    assert.equal(userMessage(new RangeError('index 7 out of range')), 'index 7 out of range.');
    assert.equal(userMessage('plain text?'), 'plain text?');
  });
});
