// `subnetwork-lens gradcheck`: the mask gradients against float64 finite differences.
import { defineCommand } from '../defineCommand';
import { threadsOption } from '../threadsOption';
import { modelDataOptions } from '../modelDataOptions';
import { chooseTensors, openModelData, parseHead, scoredOutput } from './attribute';

/** A tensor passes when its worst sampled relative error is at most this. */
export const GRADCHECK_TOLERANCE = 1e-5;
/**
 * ...and when the float32 training graph's gradient is within this of the float64 one (‖g32 − g64‖ / ‖g64‖).
 * Float32 rounding alone stays near 1e-6 on the model zoo; a Relu decision that rounding flips (an input
 * within ~1e-6 of 0) moved ResNet-18's early gradients by 6e-4 to 3e-3; a wrong kernel path moves them by
 * far more (a ConvTranspose pad off by one: see gradcheck.test.ts).
 */
export const FLOAT32_TOLERANCE = 1e-2;

const HEADINGS = ['max rel err', 'max abs err', 'max |grad|', 'f32 vs f64'];

export const gradcheck = defineCommand({
  name: 'gradcheck',
  summary: 'Check the engine\'s mask gradients on a model against float64 finite differences.',
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
  async run({ positional: modelFile, values }, io) {
    const head = parseHead(values.head, values.group, 'gradcheck');
    const { samples, rows: rowCount, seed, threads } = values;

    const { readModel } = await import('../../core/onnx/readModel');
    const { gradcheck: check } = await import('../../core/train/gradcheck');
    const { fixedBatchOf } = await import('../../core/train/fixedBatch');
    const { paddedRows } = await import('../../core/train/TrainingData');
    const { renamedParameters } = await import('../../core/onnx/exporterNames');
    const model = readModel(modelFile);
    const output = scoredOutput(model, values.output);
    const tensors = chooseTensors(model, values.tensors);
    const data = await openModelData(values.data, model, head, output);
    let report: Awaited<ReturnType<typeof check>>;
    let rows: number;
    try {
      // A model with a fixed batch gets exactly that many rows, padded rows excluded from the loss.
      const fixed = fixedBatchOf(model, head);
      rows = Math.min(rowCount, fixed ?? rowCount, data.size);
      const batch = paddedRows(data, Uint32Array.from({ length: rows }, (_, i) => i), fixed);
      report = await check(model, batch, { output, head, tensors, samples, seed, threads });
    } finally {
      data.dataset.close();
    }
    const passes = (t: (typeof report.tensors)[number]) =>
      t.maxRelativeError <= GRADCHECK_TOLERANCE && t.float32Deviation <= FLOAT32_TOLERANCE;
    const failed = report.tensors.filter((t) => !passes(t));
    const parameters = renamedParameters(model, tensors);
    if (values.json) {
      io.out(`${JSON.stringify({ model: modelFile, output, head, rows, tolerance: GRADCHECK_TOLERANCE,
        float32Tolerance: FLOAT32_TOLERANCE, passed: failed.length === 0, ...report }, null, 2)}\n`);
    } else {
      const width = Math.max(6, ...report.tensors.map((t) => t.tensor.length));
      const lines = [
        `gradcheck of ${modelFile} (output '${output}', head ${head.type}, ${rows} rows, float64, `
          + `${samples} samples per tensor)`,
        `  ${'tensor'.padEnd(width)}  ${HEADINGS.map((h) => h.padStart(11)).join('  ')}`,
        ...report.tensors.map((t) => {
          const cells = [t.maxRelativeError, t.maxAbsoluteError, t.maxGradient, t.float32Deviation];
          const values = cells.map((v) => v.toExponential(2).padStart(11)).join('  ');
          return `  ${t.tensor.padEnd(width)}  ${values}  ${passes(t) ? 'ok' : 'FAIL'}${parameters[t.tensor] ? `  ${parameters[t.tensor]}` : ''}`;
        }),
        ...(report.tensors.some((t) => t.nearKinks > 0)
          ? [`  coordinates measured with a smaller step next to a kink (Relu, MaxPool): ${report.tensors.filter((t) => t.nearKinks > 0).map((t) => `${t.tensor} ${t.nearKinks}`).join(', ')}`] : []),
        ...(report.tensors.some((t) => t.unresolved > 0)
          ? [`  coordinates left out, no step resolved their kink: ${report.tensors.filter((t) => t.unresolved > 0).map((t) => `${t.tensor} ${t.unresolved} of ${t.samples}`).join(', ')}`] : []),
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
