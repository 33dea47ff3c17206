// Peak resident memory of mask training on one model: builds the fused continuous-sparsification graph
// over every maskable tensor and runs a few steps, then prints the process's peak RSS (onnxruntime's
// arenas included) and the median step time.
// Usage: node --import tsx test/bench/stepMemory.ts MODEL.onnx DATA.npz [--batch N] [--steps N]
// (DATA holds one array per model input plus `labels`; e.g. a torchvision ResNet-50 export at 224×224.)
import { chooseTensors, openModelData } from '../../src/cli/commands/attribute';
import { elementCount } from '../../src/core/onnx/ir';
import { readModel } from '../../src/core/onnx/readModel';
import { buildTrainingGraph } from '../../src/core/train/buildTrainingGraph';
import { Trainer, type FloatArray } from '../../src/core/train/Trainer';
import { arrayData } from '../../src/core/train/TrainingData';

async function main(argv: string[]): Promise<void> {
  const [file, dataFile] = argv;
  if (!file || !dataFile) throw new Error('usage: stepMemory.ts MODEL.onnx DATA.npz [--batch N] [--steps N]');
  const option = (flag: string, fallback: number) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : fallback);
  const batch = option('--batch', 8);
  const steps = option('--steps', 3);
  const model = readModel(file);
  const tg = await buildTrainingGraph(model, {
    output: model.graph.outputs[0]!.name, head: { type: 'classify' }, tensors: chooseTensors(model, undefined), update: 'adam',
    target: { kind: 'mask', method: 'continuous-sparsification', lambda: 1e-8 },
  });
  const data = await openModelData(dataFile, model, { type: 'classify' });
  let rows;
  try {
    rows = data.rows(Uint32Array.from({ length: steps * batch }, (_, i) => i % data.size));
  } finally {
    data.dataset.close();
  }
  const initial = new Map(tg.tensors.map((t) => [t.initializer, new Float32Array(elementCount(t.shape)).fill(0.05) as FloatArray]));
  const trainer = await Trainer.create(tg, initial, Number(process.env.BENCH_THREADS ?? 2));
  try {
    const res = await trainer.train(arrayData(rows.inputs, rows.labels), { epochs: 1, batch, lr: 0.01, seed: 0, temperature: [1, 200] });
    const masked = tg.tensors.reduce((a, t) => a + elementCount(t.shape), 0);
    process.stdout.write(`${file}: ${masked.toLocaleString('en-US')} masked weights, batch ${batch}, ${steps} steps, ` +
      `median step ${res.stepMs.toFixed(0)} ms, peak RSS ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GB\n`);
  } finally {
    await trainer.release();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => { process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`); process.exitCode = 1; });
