// `subnetwork-lens export`: a runnable ONNX model with a mask applied (the export job).
import * as path from 'node:path';
import { quietHooks, UsageError } from '../command';
import { defineCommand } from '../defineCommand';
import { modelDataOptions, parseHead } from '../modelDataOptions';
import type { AblateMode } from '../../shared/jobs';

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'Write a runnable ONNX model with a mask applied: pruned to the subnetwork (--keep) '
    + 'or with it ablated (--ablate).',
  job: 'export',
  positional: { metavar: 'MODEL.onnx', noun: 'model file' },
  description: [
    'Give exactly one of --keep and --ablate.',
    'M holds one 0/1 uint8 tensor per masked initializer, keyed by initializer name (the masks a run',
    'saves under masks/NAME/seed-K.safetensors). --keep writes the pruned model: only the weights the',
    'mask keeps stay, the rest of each masked tensor is zero. --ablate writes the ablated model: the',
    'kept weights are removed (set to zero, to the tensor mean, or redrawn). The written file is loaded',
    'in onnxruntime and run on one batch (from --data, else one example drawn from the input shapes).',
  ],
  options: {
    mask: { type: 'string', metavar: 'M.safetensors', required: true, help: 'Mask file.' },
    keep: { type: 'boolean', help: 'Keep only the subnetwork (pruned model).' },
    ablate: { type: 'boolean', help: 'Remove the subnetwork (ablated model).' },
    mode: {
      type: 'string', metavar: 'MODE',
      help: 'How --ablate removes weights: zero (default), mean, random-reinit.',
    },
    out: { type: 'string', short: 'o', metavar: 'OUT.onnx', required: true, help: 'Output .onnx file.' },
    data: {
      type: 'string', metavar: 'D.npz',
      help: 'Dataset (arrays named after the model inputs, plus labels) for the check run.',
    },
    head: {
      ...modelDataOptions.head,
      help: 'How --data is laid out: classify (default) or odd-one-out with --group K.',
    },
    group: modelDataOptions.group,
    seed: { type: 'count', metavar: 'S', default: 0, help: 'Seed of random-reinit draws (default 0).' },
    json: { type: 'boolean', help: 'Print {outPath, changedWeights, maskedWeights} as JSON.' },
  },
  async run({ positional: modelFile, values, job }, io) {
    if (values.keep === values.ablate) {
      throw new UsageError('export needs exactly one of --keep (pruned model) and --ablate (ablated model)', 'export');
    }
    const removal = values.mode ?? 'zero';
    if (!['zero', 'mean', 'random-reinit'].includes(removal)) {
      throw new UsageError(`--mode must be zero, mean or random-reinit, got '${removal}'`, 'export');
    }
    if (values.keep && values.mode !== undefined) throw new UsageError('--mode applies to --ablate only', 'export');
    if (!values.data && (values.head !== undefined || values.group !== undefined)) {
      throw new UsageError('--head and --group describe --data; give --data too', 'export');
    }
    const mode: AblateMode = values.keep ? 'keep-only' : removal as AblateMode;
    const outPath = path.resolve(values.out);
    if (outPath === path.resolve(modelFile)) throw new UsageError('-o must not overwrite the input model', 'export');

    const data = values.data === undefined
      ? undefined : { path: values.data, head: parseHead(values.head, values.group, 'export') };
    const result = await job({
      modelPath: modelFile, maskPath: values.mask, mode, outPath, data, seed: values.seed,
    }, quietHooks());
    if (values.json) {
      io.out(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const ablation = mode === 'zero' ? 'zeroed' : mode === 'mean' ? 'set to the tensor mean' : 'redrawn';
      const what = mode === 'keep-only' ? 'pruned model (subnetwork only)' : `ablated model (subnetwork ${ablation})`;
      const changed = result.changedWeights.toLocaleString('en-US');
      const masked = result.maskedWeights.toLocaleString('en-US');
      io.out(`wrote ${result.outPath}: ${what}; ${changed} of ${masked} masked weights changed; `
        + 'checked by one onnxruntime run\n');
    }
    return 0;
  },
});
