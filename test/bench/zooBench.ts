// Mask-training speed on the model zoo (test/unit/zoo/zooModels.ts, opset 17): one fused
// continuous-sparsification step (forward + backward + Adam over every maskable tensor) against the same
// step in PyTorch (test/bench/torch_zoo_step.py: the same model, weights, rows, batch and threads), measured
// in the same run. The PyTorch child gets the OpenBLAS libblas.so.3 when one is found (see trainBench.ts);
// the section prints which BLAS libraries it actually mapped. Goal: ours ≤ 1.0× PyTorch's. Each line also
// gives both engines' median CPU time per step, which a loaded machine disturbs less than wall time.
// Threads: BENCH_THREADS (default 2). Models needing rules this build lacks are listed, not timed.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { BenchLine, BenchSection } from './bench';
import { torchBlasDir } from './trainBench';
import { openZoo } from '../unit/zoo/zooModels';
import { chooseTensors, openModelData } from '../../src/jobs/modelData';
import { elementCount } from '../../src/core/onnx/ir';
import { readModel } from '../../src/core/onnx/readModel';
import { buildTrainingGraph } from '../../src/core/train/buildTrainingGraph';
import { median, Trainer, type FloatArray } from '../../src/core/train/Trainer';
import { arrayData } from '../../src/core/train/TrainingData';

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const BATCH = 8;
const STEPS = 10;
const WARMUP = 3;

/**
 * Median time of one mask step over every maskable tensor (the onnxruntime call and the Adam update), on the
 * rows of `dataFile` repeated to fill `steps` batches; the median CPU time of the process per step after
 * WARMUP steps; and the number of masked weights.
 */
export async function maskStepMs(file: string, dataFile: string, batch: number, steps: number):
  Promise<{ stepMs: number; cpuMs: number; masked: number }> {
  const model = readModel(file);
  const tg = await buildTrainingGraph(model, {
    output: model.graph.outputs[0]!.name, head: { type: 'classify' }, tensors: chooseTensors(model, undefined),
    update: 'adam',
    target: { kind: 'mask', method: 'continuous-sparsification', lambda: 1e-8 },
  });
  const data = await openModelData(dataFile, model, { type: 'classify' });
  let rows;
  try {
    rows = data.rows(Uint32Array.from({ length: steps * batch }, (_, i) => i % data.size));
  } finally {
    data.dataset.close();
  }
  const initial = new Map(tg.tensors.map((t) =>
    [t.initializer, new Float32Array(elementCount(t.shape)).fill(0.05) as FloatArray]));
  const trainer = await Trainer.create(tg, initial, THREADS);
  try {
    const cpu: number[] = [];
    let before = process.cpuUsage();
    const onStep = () => {
      const used = process.cpuUsage(before);
      before = process.cpuUsage();
      cpu.push((used.user + used.system) / 1000);
    };
    const options = { epochs: 1, batch, lr: 0.01, seed: 0, temperature: [1, 200] as [number, number], onStep };
    const res = await trainer.train(arrayData(rows.inputs, rows.labels), options);
    const masked = tg.tensors.reduce((a, t) => a + elementCount(t.shape), 0);
    return { stepMs: res.stepMs, cpuMs: median(cpu.slice(Math.min(WARMUP, cpu.length - 1))), masked };
  } finally {
    await trainer.release();
  }
}

interface TorchStep { stepMs: number; cpuMs: number; blas: string }

function torchStep(name: string, dataFile: string): TorchStep | { error: string } {
  const blas = torchBlasDir();
  const env = {
    ...process.env, OMP_NUM_THREADS: String(THREADS), OPENBLAS_NUM_THREADS: String(THREADS),
    ...(blas ? { LD_LIBRARY_PATH: [blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {}),
  };
  const config = { name, data: dataFile, batch: BATCH, threads: THREADS, steps: STEPS, warmup: WARMUP };
  const script = path.join(__dirname, 'torch_zoo_step.py');
  const r = spawnSync('/usr/bin/python3', [script, JSON.stringify(config)], {
    encoding: 'utf8', timeout: 600_000, env,
  });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()! };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchStep;
}

export const zooBench: BenchSection = {
  name: 'zoo',
  description: `model zoo (opset 17, batch ${BATCH}, ${THREADS} threads): fused mask step vs PyTorch's, same run`,
  async run(): Promise<BenchLine[]> {
    const zoo = openZoo();
    if (typeof zoo === 'string') return [{ label: 'zoo', ms: NaN, note: `skipped: ${zoo}` }];
    const names = (process.env.BENCH_ZOO ?? Object.keys(zoo.models).join(',')).split(',');
    const lines: BenchLine[] = [];
    let blasNote = '';
    for (const name of names) {
      const file = path.join(zoo.dir, zoo.models[name]!.files['17']!);
      const dataFile = path.join(zoo.dir, `${name}.data.npz`);
      const ours = await maskStepMs(file, dataFile, BATCH, STEPS + WARMUP);
      const torch = torchStep(name, dataFile);
      if ('error' in torch) {
        lines.push({ label: `${name} mask step`, ms: ours.stepMs, note: `PyTorch failed: ${torch.error}` });
      } else {
        blasNote = torch.blas;
        const ratio = (ours.cpuMs / torch.cpuMs).toFixed(2);
        const cpu = `CPU ${ours.cpuMs.toFixed(1)} / ${torch.cpuMs.toFixed(1)} ms, ${ratio}×`;
        const note = `PyTorch ${torch.stepMs.toFixed(1)} ms; ${cpu}`;
        lines.push({ label: `${name} mask step vs PyTorch's`, ms: ours.stepMs, targetMs: torch.stepMs, note });
      }
    }
    if (blasNote) process.stdout.write(`  PyTorch BLAS: ${blasNote}\n`);
    return lines;
  },
};
