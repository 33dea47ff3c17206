// `subnetwork-lens gradcheck`: the mask gradients against float64 finite differences (the gradcheck job).
import { defineCommand } from '../defineCommand';
import { threadsOption } from '../threadsOption';
import { modelDataOptions, parseHead, parseTensorList } from '../modelDataOptions';
import { quietHooks } from '../command';
import { FLOAT32_TOLERANCE, GRADCHECK_TOLERANCE, gradcheckPasses } from '../../jobs/gradcheck';

const HEADINGS = ['max rel err', 'max abs err', 'max |grad|', 'f32 vs f64'];

export const gradcheck = defineCommand({
  name: 'gradcheck',
  summary: 'Check the engine\'s mask gradients on a model against float64 finite differences.',
  job: 'gradcheck',
  positional: { metavar: 'MODEL.onnx', noun: 'model file' },
  description: [
    'Builds the same mask-training graph `find` trains (continuous sparsification, β = 1), converts it',
    'to float64 (conv and pooling ops are rewritten into float64-capable ops), and compares the analytic',
    'gradient of the loss with respect to the mask logits with central finite differences at sampled',
    'coordinates (step 1e-3; a coordinate whose quotient changes at a tenfold smaller step sits next to a',
    'Relu/MaxPool kink and is measured with the smaller step, or left out and counted if none settles).',
    'Then runs the float32 graph that training runs (native Conv/pooling kernels, same session options) at',
    'the same logits and compares its whole gradient with the float64 one.',
    `Prints the worst relative error per tensor (pass: ≤ ${GRADCHECK_TOLERANCE}), the float32 deviation`,
    `‖g32 − g64‖ / ‖g64‖ (pass: ≤ ${FLOAT32_TOLERANCE}) and the nodes that onnxruntime can only run in`,
    'float32 in the float64 graph (their precision bounds the check). Exit code 1 when a tensor fails.',
  ],
  options: {
    data: {
      type: 'string', metavar: 'D.npz', required: true,
      help: 'Dataset: one array per model input plus `labels`. The first rows are used.',
    },
    ...modelDataOptions,
    tensors: {
      type: 'string', metavar: 'LIST',
      help: 'Comma-separated initializers to check (default: every maskable one).',
    },
    samples: { type: 'count', metavar: 'N', default: 8, min: 1, help: 'Coordinates sampled per tensor (default 8).' },
    rows: { type: 'count', metavar: 'N', default: 16, min: 1, help: 'Examples in the batch (default 16).' },
    seed: {
      type: 'count', metavar: 'S', default: 0,
      help: 'Seed of the logits and the sampled coordinates (default 0).',
    },
    threads: threadsOption,
    json: { type: 'boolean', help: 'Print the report as JSON.' },
  },
  async run({ positional: modelFile, values, job }, io) {
    const { samples, seed, threads } = values;
    const result = await job({
      modelPath: modelFile, dataPath: values.data, output: values.output,
      head: parseHead(values.head, values.group, 'gradcheck'), tensors: parseTensorList(values.tensors),
      samples, rows: values.rows, seed, threads,
    }, quietHooks());
    const { parameters, ...report } = result;
    const { output, head, rows } = report;
    const failed = report.tensors.filter((t) => !gradcheckPasses(t));
    if (values.json) {
      io.out(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const width = Math.max(6, ...report.tensors.map((t) => t.tensor.length));
      const nearKinks = report.tensors.filter((t) => t.nearKinks > 0).map((t) => `${t.tensor} ${t.nearKinks}`);
      const unresolved = report.tensors
        .filter((t) => t.unresolved > 0)
        .map((t) => `${t.tensor} ${t.unresolved} of ${t.samples}`);
      const lines = [
        `gradcheck of ${modelFile} (output '${output}', head ${head.type}, ${rows} rows, float64, `
          + `${samples} samples per tensor)`,
        `  ${'tensor'.padEnd(width)}  ${HEADINGS.map((h) => h.padStart(11)).join('  ')}`,
        ...report.tensors.map((t) => {
          const cells = [t.maxRelativeError, t.maxAbsoluteError, t.maxGradient, t.float32Deviation];
          const values = cells.map((v) => v.toExponential(2).padStart(11)).join('  ');
          const parameter = parameters[t.tensor] ? `  ${parameters[t.tensor]}` : '';
          return `  ${t.tensor.padEnd(width)}  ${values}  ${gradcheckPasses(t) ? 'ok' : 'FAIL'}${parameter}`;
        }),
        ...(nearKinks.length > 0
          ? [`  coordinates measured with a smaller step next to a kink (Relu, MaxPool): ${nearKinks.join(', ')}`]
          : []),
        ...(unresolved.length > 0
          ? [`  coordinates left out, no step resolved their kink: ${unresolved.join(', ')}`]
          : []),
        failed.length === 0
          ? `passed: every tensor within ${GRADCHECK_TOLERANCE} (float64) and ${FLOAT32_TOLERANCE} (float32 vs float64)`
          : `FAILED: ${failed.map((t) => t.tensor).join(', ')} above ${GRADCHECK_TOLERANCE} (float64) or `
            + `${FLOAT32_TOLERANCE} (float32 vs float64)`,
      ];
      io.out(`${lines.join('\n')}\n`);
    }
    return failed.length === 0 ? 0 : 1;
  },
});
