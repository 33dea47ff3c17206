import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defineCommand } from '../../../src/cli/defineCommand';

const quiet = { out: () => {}, err: () => {} };

/** A command whose run returns what it was given, as JSON on out. */
function echoCommand() {
  let seen: unknown;
  const command = defineCommand({
    name: 'echo',
    summary: 'Echo.',
    positional: { metavar: 'FILE', noun: 'data file' },
    description: ['Prose.'],
    options: {
      data: { type: 'string', metavar: 'D.npz', required: true, help: 'Dataset.' },
      out: { type: 'string', short: 'o', metavar: 'OUT', help: ['Output file,', 'second line.'] },
      rows: { type: 'count', metavar: 'N', default: 16, min: 1, help: 'Rows.' },
      mode: { type: 'string', metavar: 'MODE', choices: ['a', 'b'], help: 'Mode.' },
      tag: { type: 'string', metavar: 'T', multiple: true, help: 'Tags.' },
      json: { type: 'boolean', help: 'JSON.' },
    },
    async run({ positional, values }) {
      seen = { positional, values };
      return 0;
    },
  });
  return { command, seen: () => seen };
}

describe('defineCommand', () => {
  test('parses, applies defaults and converts counts', async () => {
    const { command, seen } = echoCommand();
    assert.equal(await command.run(['f.onnx', '--data', 'd.npz', '-o', 'x', '--tag', 'p', '--tag', 'q'], quiet), 0);
    assert.deepEqual(seen(), {
      positional: 'f.onnx',
      values: { data: 'd.npz', out: 'x', rows: 16, mode: undefined, tag: ['p', 'q'], json: undefined },
    });
    await command.run(['f.onnx', '--data', 'd', '--rows', '3', '--mode', 'b', '--json'], quiet);
    assert.deepEqual(seen(), {
      positional: 'f.onnx', values: { data: 'd', out: undefined, rows: 3, mode: 'b', tag: undefined, json: true },
    });
  });

  test('refuses what the table rules out, with a usage error naming the option', async () => {
    const { command } = echoCommand();
    const cases: [string[], RegExp][] = [
      [['--data', 'd'], /^echo needs a data file$/],
      [['a', 'b', '--data', 'd'], /^echo takes one data file, got 2$/],
      [['f'], /^echo needs --data D\.npz$/],
      [['f', '--data', 'd', '--rows', 'two'], /^--rows must be a non-negative integer, got 'two'$/],
      [['f', '--data', 'd', '--rows', '0'], /^--rows must be at least 1, got 0$/],
      [['f', '--data', 'd', '--mode', 'c'], /^--mode must be one of a, b, got 'c'$/],
      [['f', '--data', 'd', '--bogus'], /^Unknown option '--bogus'$/],
    ];
    for (const [args, message] of cases) {
      await assert.rejects(command.run(args, quiet), (e: Error) => e.name === 'UsageError' && message.test(e.message));
    }
  });

  test('the help has the synopsis, the prose and one line per option', () => {
    const { command } = echoCommand();
    assert.equal(command.usage, [
      'Usage: subnetwork-lens echo FILE --data D.npz [-o OUT] [--rows N] [--mode MODE] [--tag T]... [--json]',
      '',
      'Prose.',
      '',
      'Options:',
      '  --data D.npz   Dataset (required).',
      '  -o, --out OUT  Output file,',
      '                 second line.',
      '  --rows N       Rows.',
      '  --mode MODE    Mode.',
      '  --tag T        Tags.',
      '  --json         JSON.',
    ].join('\n'));
  });
});
