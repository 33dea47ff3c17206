// `subnetwork-lens prune`: one mask on the whole task, cut to a fraction and written as a model (the prune job).
import * as path from 'node:path';
import { UsageError } from '../command';
import { defineCommand } from '../defineCommand';
import { threadsOption } from '../threadsOption';
import { progressPrinter } from '../progressPrinter';

export const prune = defineCommand({
  name: 'prune',
  summary: 'Train one mask on the whole task, keep the top fraction of weights and write the pruned model.',
  job: 'prune',
  positional: { metavar: 'SPEC.subnet.json', noun: 'task spec (*.subnet.json)' },
  description: [
    'Trains a continuous-sparsification mask on the spec\'s task.train set (the whole compositional task)',
    'with the spec\'s mask hyper-parameters, keeps the fraction F of masked weights with the largest',
    'mask logits (ranked across all masked tensors), zeroes the rest and writes a runnable model.',
    'Prints the task test accuracy before and after. `--keep solution` keeps the mask\'s own solution instead:',
    'every weight whose logit ended above 0 (the reference\'s pruned models).',
    '',
    'With several fractions the one mask is cut at each, smallest first, and the first cut whose model',
    'keeps R of the unpruned accuracy on DATA is written (the largest if none does). DATA should be',
    'held-out task data that nothing scores later (e.g. a validation set), never a partition test set.',
  ],
  options: {
    keep: {
      type: 'string', metavar: 'F[,F...]', required: true,
      help: "Fraction(s) of masked weights kept, each in (0, 1]; or 'solution' (the mask's s > 0 weights).",
    },
    select: {
      type: 'string', metavar: 'DATA',
      help: 'With several fractions: the dataset (.npz/.npy/.safetensors) they are judged on.',
    },
    retain: {
      type: 'string', metavar: 'R',
      help: 'With several fractions: share of the unpruned accuracy to keep (default 0.95).',
    },
    out: { type: 'string', short: 'o', metavar: 'OUT.onnx', required: true, help: 'Output .onnx file.' },
    seed: { type: 'count', metavar: 'N', help: 'Seed of the mask training (default 0).' },
    threads: threadsOption,
    json: { type: 'boolean', help: 'Print the result as JSON.' },
  },
  async run({ positional: specFile, values, job }, io) {
    const fractions = values.keep === 'solution' ? [] : values.keep.split(',').map((f) => f.trim());
    if (fractions.some((f) => !(Number(f) > 0 && Number(f) <= 1))) {
      const problem = `--keep must be a fraction in (0, 1] or a comma-separated list of them, got '${values.keep}'`;
      throw new UsageError(problem, 'prune');
    }
    const retain = values.retain === undefined ? 0.95 : Number(values.retain);
    if (!(retain > 0 && retain <= 1)) {
      throw new UsageError(`--retain must be a fraction in (0, 1], got '${values.retain}'`, 'prune');
    }
    if (fractions.length > 1 && !values.select) {
      const problem = 'several --keep fractions need --select DATA, the held-out data they are judged on';
      throw new UsageError(problem, 'prune');
    }
    if (fractions.length <= 1 && (values.select || values.retain)) {
      const problem = '--select and --retain choose among several --keep fractions; give more than one';
      throw new UsageError(problem, 'prune');
    }
    const keep = fractions.length === 0 ? 'mask-solution' as const
      : fractions.length === 1 ? Number(fractions[0])
        : { fractions: fractions.map(Number), retain, data: path.resolve(values.select!) };
    const result = await job({
      specPath: path.resolve(specFile), keep, outPath: path.resolve(values.out),
      seed: values.seed, threads: values.threads,
    }, { signal: new AbortController().signal, onProgress: progressPrinter(io) });
    if (values.json) {
      io.out(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      if (result.ladder) {
        const tried = result.ladder.tried
          .map((t) => `${(100 * t.keep).toFixed(1)}% → ${t.accuracy.toFixed(3)}`)
          .join(', ');
        io.out(`selection data accuracy ${result.ladder.accuracyBefore.toFixed(3)} unpruned; ${tried}\n`);
      }
      const accuracy = `${result.accuracyBefore.toFixed(3)} → ${result.accuracyAfter.toFixed(3)}`;
      io.out(`wrote ${result.outPath}: kept ${(100 * result.keptFraction).toFixed(2)}% of masked weights; `
        + `task accuracy ${accuracy} (${result.examples} examples)\n`);
    }
    return 0;
  },
});
