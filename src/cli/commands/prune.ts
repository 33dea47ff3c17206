// `subnetwork-lens prune SPEC --keep F -o pruned.onnx [--seed N] [--threads N] [--json]`
import * as path from 'node:path';
import { parseCommandArgs, processIO, UsageError, type CliIO, type Command } from '../command';
import { progressPrinter } from './find';

export const prune: Command = {
  name: 'prune',
  summary: 'Train one mask on the whole task, keep the top fraction of weights and write the pruned model.',
  usage: [
    'Usage: subnetwork-lens prune SPEC.subnet.json --keep F -o OUT.onnx [--seed N] [--threads N] [--json]',
    '',
    'Trains a continuous-sparsification mask on the spec\'s task.train set (the whole compositional task)',
    'with the spec\'s mask hyper-parameters, keeps the fraction F of masked weights with the largest',
    'mask logits (ranked across all masked tensors), zeroes the rest and writes a runnable model.',
    'Prints the task test accuracy before and after.',
    '',
    'Options:',
    '  --keep F        Fraction of masked weights kept, in (0, 1].',
    '  -o, --out FILE  Output .onnx file.',
    '  --seed N        Seed of the mask training (default 0).',
    '  --threads N     onnxruntime intra-op threads (0 = one per core).',
    '  --json          Print the result as JSON.',
  ].join('\n'),
  async run(args: string[], io: CliIO = processIO): Promise<number> {
    const { values, positionals } = parseCommandArgs('prune', args, {
      keep: { type: 'string' },
      out: { type: 'string', short: 'o' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('prune needs one task spec (*.subnet.json)', 'prune');
    const keep = Number(values.keep);
    if (values.keep === undefined || !(keep > 0 && keep <= 1)) throw new UsageError(`--keep must be a fraction in (0, 1], got '${values.keep ?? ''}'`, 'prune');
    if (!values.out) throw new UsageError('prune needs -o OUT.onnx', 'prune');
    const integer = (v: string | undefined, flag: string) => {
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v)) throw new UsageError(`${flag} must be a non-negative integer, got '${v}'`, 'prune');
      return Number(v);
    };
    const { pruneModel } = await import('../../core/analysis/pruneModel');
    const result = await pruneModel({
      specPath: path.resolve(positionals[0]!), keep, outPath: path.resolve(values.out),
      seed: integer(values.seed, '--seed'), threads: integer(values.threads, '--threads'),
    }, { signal: new AbortController().signal, onProgress: progressPrinter(io) });
    if (values.json) {
      io.out(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      io.out(`wrote ${result.outPath}: kept ${(100 * result.keptFraction).toFixed(2)}% of masked weights; task accuracy ${result.accuracyBefore.toFixed(3)} → ${result.accuracyAfter.toFixed(3)} (${result.examples} examples)\n`);
    }
    return 0;
  },
};
