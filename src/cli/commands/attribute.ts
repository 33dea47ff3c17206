// `subnetwork-lens attribute`: one-shot attribution W ⊙ ∂L/∂W, and the model/data helpers gradcheck and export share.
import * as path from 'node:path';
import { parseCount, UsageError } from '../command';
import { defineCommand } from '../defineCommand';
import { threadsOption } from '../threadsOption';
import { modelDataOptions } from '../modelDataOptions';
import { DataType, type Model } from '../../core/onnx/ir';
import type { HeadSpec, ResolvedSpec } from '../../shared/spec';
import type { OpenedData } from '../../core/data/datasetAsTrainingData';
import { maskableInitializers } from '../../core/masks/maskableInitializers';
import { renamedParameters } from '../../core/onnx/exporterNames';

export const attribute = defineCommand({
  name: 'attribute',
  summary: 'Write W ⊙ ∂L/∂W for every maskable initializer of a model (one-shot attribution) as safetensors.',
  positional: { metavar: 'MODEL.onnx', noun: 'model file' },
  description: [
    'L is the mean softmax cross-entropy of the scored output against the `labels` array over every',
    'example of D (for odd-one-out: of the cosine-similarity head over groups of K stimuli). For every',
    'maskable initializer W (float, rank >= 2) the file gets float32 W ⊙ ∂L/∂W keyed by the initializer',
    'name: the gradient of L with respect to an all-ones mask. D holds one array per model input, named',
    'after the input, plus `labels` (.npz, .npy folder or .safetensors).',
  ],
  options: {
    data: { type: 'string', metavar: 'D.npz', required: true, help: 'Dataset.' },
    out: { type: 'string', metavar: 'S.safetensors', required: true, help: 'Output .safetensors file.' },
    ...modelDataOptions,
    tensors: {
      type: 'string', metavar: 'LIST',
      help: 'Comma-separated initializer names instead of every maskable one.',
    },
    threads: threadsOption,
    json: { type: 'boolean', help: 'Print a JSON summary instead of text.' },
  },
  async run({ positional: modelFile, values }, io) {
    const head = parseHead(values.head, values.group, 'attribute');
    const { threads } = values;

    const { readModel } = await import('../../core/onnx/readModel');
    const { attribute: attributeCore } = await import('../../core/train/attribute');
    const { writeSafetensors } = await import('../../core/data/writeSafetensors');
    const { softmaxLogits } = await import('../../core/train/lossHeads');
    const model = readModel(modelFile);
    const output = scoredOutput(model, values.output);
    const tensors = chooseTensors(model, values.tensors);
    const data = await openModelData(values.data, model, head, output);
    let scores: Map<string, Float32Array>;
    try {
      scores = await attributeCore(model, data, { output, head, tensors, threads });
    } finally {
      data.dataset.close();
    }
    const outPath = path.resolve(values.out);
    const arrays = Object.fromEntries(tensors.map((name) => [name, { dtype: 'float32' as const, shape: model.graph.initializers.get(name)!.dims, data: scores.get(name)! }]));
    // Keyed by initializer name; a weight the exporter renamed or transposed also names its PyTorch parameter.
    const parameters = renamedParameters(model, tensors);
    writeSafetensors(outPath, arrays, {
      model: path.basename(modelFile), data: path.basename(values.data), output, head: head.type,
      examples: String(data.size),
      ...(Object.keys(parameters).length ? { parameters: JSON.stringify(parameters) } : {}),
    });
    const rows = tensors.map((name) => {
      const s = scores.get(name)!;
      let sum = 0, max = 0;
      for (let i = 0; i < s.length; i++) { sum += Math.abs(s[i]!); max = Math.max(max, Math.abs(s[i]!)); }
      const parameter = parameters[name] ? { parameter: parameters[name] } : {};
      return { tensor: name, ...parameter, shape: model.graph.initializers.get(name)!.dims, sumAbs: sum, maxAbs: max };
    });
    const softmaxInput = softmaxLogits(model.graph, output, head);
    if (values.json) {
      const json = { out: outPath, output, scored: softmaxInput ?? output, head, examples: data.size, tensors: rows };
      io.out(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      const width = Math.max(...rows.map((r) => r.tensor.length));
      const scored = softmaxInput ? `, a Softmax: L scores its input '${softmaxInput}'` : '';
      io.out([
        `wrote ${outPath}: W ⊙ ∂L/∂W for ${rows.length} tensors over ${data.size} examples ` +
          `(output '${output}'${scored}, head ${head.type})`,
        ...rows.map((r) => `  ${r.tensor.padEnd(width)}  [${r.shape.join(', ')}]  Σ|a| ${r.sumAbs.toExponential(3)}  `
          + `max|a| ${r.maxAbs.toExponential(3)}${r.parameter ? `  ${r.parameter}` : ''}`),
      ].join('\n') + '\n');
    }
    return 0;
  },
});

export function parseHead(head: string | undefined, group: string | undefined, command: string): HeadSpec {
  if (head === undefined || head === 'classify') {
    if (group !== undefined) throw new UsageError('--group only applies to --head odd-one-out', command);
    return { type: 'classify' };
  }
  if (head !== 'odd-one-out') throw new UsageError(`--head must be classify or odd-one-out, got '${head}'`, command);
  if (group === undefined) throw new UsageError('--head odd-one-out needs --group K (stimuli per problem)', command);
  const k = parseCount(group, '--group');
  if (k < 2) throw new UsageError(`--group must be at least 2, got ${k}`, command);
  return { type: 'odd-one-out', group: k };
}

export function scoredOutput(model: Model, requested: string | undefined): string {
  const names = model.graph.outputs.map((o) => o.name);
  if (requested === undefined) return names[0]!;
  if (!names.includes(requested)) throw new UsageError(`the model has no output '${requested}' (outputs: ${names.join(', ')})`);
  return requested;
}

/** The named initializers (checked), or every maskable one (float32 parameters of rank >= 2). */
export function chooseTensors(model: Model, list: string | undefined): string[] {
  const inits = model.graph.initializers;
  if (list === undefined) {
    const maskable = maskableInitializers(model).filter((name) => inits.get(name)!.dataType === DataType.FLOAT);
    if (maskable.length === 0) throw new UsageError('the model has no maskable initializer (float32, rank >= 2)');
    return maskable;
  }
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    const t = inits.get(n);
    if (!t) throw new UsageError(`the model has no initializer '${n}'`);
    if (t.dataType !== DataType.FLOAT) throw new UsageError(`initializer '${n}' is not float32`);
  }
  if (names.length === 0) throw new UsageError('--tensors is empty');
  return names;
}

/** A dataset whose arrays are named after the model inputs, plus `labels`, as TrainingData (checked against the model). */
export async function openModelData(file: string, model: Model, head: HeadSpec, output?: string): Promise<OpenedData> {
  const { datasetAsTrainingData } = await import('../../core/data/datasetAsTrainingData');
  // datasetAsTrainingData reads only the input mapping, the labels name, the output and the head of a spec.
  const spec: Pick<ResolvedSpec, 'inputs' | 'labels' | 'head' | 'output' | 'specPath'> = {
    inputs: {}, labels: 'labels', head, output, specPath: file,
  };
  return datasetAsTrainingData(path.resolve(file), model, spec as ResolvedSpec);
}
