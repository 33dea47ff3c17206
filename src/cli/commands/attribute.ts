// `subnetwork-lens attribute`: one-shot attribution W ⊙ ∂L/∂W (the attribute job).
import { defineCommand } from '../defineCommand';
import { threadsOption } from '../threadsOption';
import { modelDataOptions, parseHead, parseTensorList } from '../modelDataOptions';
import { quietHooks } from '../command';

export const attribute = defineCommand({
  name: 'attribute',
  summary: 'Write W ⊙ ∂L/∂W for every maskable initializer of a model (one-shot attribution) as safetensors.',
  job: 'attribute',
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
  async run({ positional: modelFile, values, job }, io) {
    const result = await job({
      modelPath: modelFile, dataPath: values.data, outPath: values.out, output: values.output,
      head: parseHead(values.head, values.group, 'attribute'), tensors: parseTensorList(values.tensors),
      threads: values.threads,
    }, quietHooks());
    if (values.json) {
      io.out(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const { out, output, scored, head, examples, tensors } = result;
    const width = Math.max(...tensors.map((r) => r.tensor.length));
    const softmax = scored === output ? '' : `, a Softmax: L scores its input '${scored}'`;
    io.out([
      `wrote ${out}: W ⊙ ∂L/∂W for ${tensors.length} tensors over ${examples} examples ` +
        `(output '${output}'${softmax}, head ${head.type})`,
      ...tensors.map((r) => `  ${r.tensor.padEnd(width)}  [${r.shape.join(', ')}]  Σ|a| ${r.sumAbs.toExponential(3)}  `
        + `max|a| ${r.maxAbs.toExponential(3)}${r.parameter ? `  ${r.parameter}` : ''}`),
    ].join('\n') + '\n');
    return 0;
  },
});
