// Training-engine speed (issue 3 item 7): for an MLP, a CNN and a small transformer encoder, the forward
// pass alone, one continuous-sparsification mask-training step (the fused forward+backward+Adam graph the
// Trainer runs) and their ratio; with Debian's python3-torch, the same step in PyTorch on the same
// weights, batch and threads. Targets: step ≤ 3× forward, step ≤ 1.0× PyTorch's.
// Threads: BENCH_THREADS (default 2, the cores of the reference machine).
// Debian's python3-torch does its dense matmuls through the system libblas.so.3, by default netlib's
// reference BLAS (≈15× slower than OpenBLAS here). When an OpenBLAS libblas.so.3 is found (folder in
// BENCH_TORCH_BLAS_DIR, or Debian's libopenblas0-pthread/-openmp folders; `apt-get download
// libopenblas0-pthread && dpkg -x` into a private folder works without installing), the PyTorch child
// process gets it via LD_LIBRARY_PATH; the table says which BLAS PyTorch used.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchLine, BenchSection } from './bench';
import { benchCnn, benchMlp, benchTransformer, TRANSFORMER, type BenchModel } from './trainModels';
import { buildTrainingGraph } from '../../src/core/train/buildTrainingGraph';
import { median, Trainer, type FloatArray } from '../../src/core/train/Trainer';
import { arrayData } from '../../src/core/train/TrainingData';
import { createSession, ort } from '../../src/core/runtime/session';
import { elementCount } from '../../src/core/onnx/ir';
import { writeNpz } from '../../src/core/data/writeNpz';
import { Rng } from '../../src/core/util/random';

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const FORWARD_RUNS = 10;
const STEPS: Record<BenchModel['name'], number> = { mlp: 30, cnn: 15, transformer: 20 };
const WARMUP_STEPS = 3;

export interface TrainBenchRow {
  model: string;
  batch: number;
  maskedWeights: number;
  forwardMs: number;
  /** Median onnxruntime time of one fused step (what run.json reports as maskStepMs). */
  stepMs: number;
  /** Median wall time between steps, including batching and bookkeeping in JS. */
  stepWallMs: number;
  torchForwardMs?: number;
  torchStepMs?: number;
}

export function inputsFor(m: BenchModel, rows: number, seed: number) {
  const rng = new Rng(seed);
  const data = Float32Array.from({ length: rows * elementCount(m.example) }, () => rng.normal());
  const labels = BigInt64Array.from({ length: rows }, () => BigInt(rng.int(m.classes)));
  return { data, labels };
}

async function forwardMs(m: BenchModel): Promise<number> {
  const session = await createSession(m.model, { threads: THREADS });
  try {
    const { data } = inputsFor(m, m.batch, 1);
    const feeds = { [m.input]: new ort.Tensor('float32', data, [m.batch, ...m.example]) };
    for (let i = 0; i < 3; i++) await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < FORWARD_RUNS; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t0);
    }
    return median(times);
  } finally {
    await session.release();
  }
}

async function stepMs(m: BenchModel): Promise<{ run: number; wall: number }> {
  const tg = await buildTrainingGraph(m.model, {
    output: 'logits', head: { type: 'classify' }, tensors: m.masked, update: 'adam',
    target: { kind: 'mask', method: 'continuous-sparsification', lambda: 1e-8 },
  });
  const initial = new Map(tg.tensors.map((t) => [
    t.initializer,
    new Float32Array(elementCount(t.shape)).fill(0.05) as FloatArray,
  ]));
  const trainer = await Trainer.create(tg, initial, THREADS);
  try {
    const steps = STEPS[m.name] + WARMUP_STEPS;
    const { data, labels } = inputsFor(m, steps * m.batch, 2);
    const training = arrayData({ [m.input]: { data, dims: [steps * m.batch, ...m.example] } }, labels);
    const stamps: number[] = [];
    const res = await trainer.train(training, {
      epochs: 1, batch: m.batch, lr: 0.01, seed: 0, temperature: [1, 200],
      onStep: () => { stamps.push(performance.now()); },
    });
    const walls = stamps.slice(WARMUP_STEPS).map((t, i) => t - stamps[WARMUP_STEPS + i - 1]!);
    // res.stepMs is the median over all steps; the first (warm-up) ones barely move a median of 15+.
    return { run: res.stepMs, wall: median(walls) };
  } finally {
    await trainer.release();
  }
}

/** The python3 that has torch (Debian's /usr/bin/python3 first), or undefined. */
function torchPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** A folder holding an optimised libblas.so.3 for the PyTorch child process, or undefined (reference BLAS). */
export function torchBlasDir(): string | undefined {
  const candidates = [
    process.env.BENCH_TORCH_BLAS_DIR,
    '/usr/lib/x86_64-linux-gnu/openblas-pthread',
    '/usr/lib/x86_64-linux-gnu/openblas-openmp',
  ];
  return candidates.find((d): d is string => !!d && fs.existsSync(path.join(d, 'libblas.so.3')));
}

function torchTimes(py: string, m: BenchModel, dir: string): { forwardMs: number; stepMs: number } | { error: string } {
  const weights = path.join(dir, `${m.name}.npz`);
  const arrays = Object.fromEntries([...m.model.graph.initializers.values()]
    .filter((t) => t.dataType === 1)
    .map((t) => [t.name, { dtype: 'float32' as const, shape: t.dims, data: t.data as Float32Array }]));
  writeNpz(weights, arrays);
  const config = {
    model: m.name, weights, batch: m.batch, threads: THREADS, steps: STEPS[m.name], warmup: WARMUP_STEPS,
    forwardRuns: FORWARD_RUNS, masked: m.masked, transformer: TRANSFORMER,
  };
  const blas = torchBlasDir();
  const env = {
    ...process.env, OMP_NUM_THREADS: String(THREADS), OPENBLAS_NUM_THREADS: String(THREADS),
    ...(blas ? { LD_LIBRARY_PATH: [blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {}),
  };
  const r = spawnSync(py, [path.join(__dirname, 'torch_step.py'), JSON.stringify(config)], {
    encoding: 'utf8', timeout: 120_000, env,
  });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()! };
  return JSON.parse(r.stdout) as { forwardMs: number; stepMs: number };
}

export function formatTrainTable(rows: TrainBenchRow[]): string {
  const head = [
    'model', 'batch', 'masked', 'forward ms', 'step ms', 'step/fwd', 'wall ms', 'torch fwd', 'torch step', 'step/torch',
  ];
  const f = (v: number | undefined, d = 2) => (v === undefined ? '—' : v.toFixed(d));
  const body = rows.map((r) => [
    r.model, String(r.batch), r.maskedWeights.toLocaleString('en-US'),
    f(r.forwardMs), f(r.stepMs), `${f(r.stepMs / r.forwardMs)}×`, f(r.stepWallMs),
    f(r.torchForwardMs), f(r.torchStepMs), r.torchStepMs === undefined ? '—' : `${f(r.stepMs / r.torchStepMs)}×`,
  ]);
  const all = [head, ...body];
  const widths = head.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const aligned = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)));
  return all.map((r) => `  ${aligned(r).join('  ')}`).join('\n');
}

export const trainBench: BenchSection = {
  name: 'train',
  description: `forward vs fused continuous-sparsification mask step (fwd+bwd+Adam), ${THREADS} threads; `
    + 'PyTorch when python3-torch is installed',
  async run(): Promise<BenchLine[]> {
    const py = torchPython();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-bench-'));
    const rows: TrainBenchRow[] = [];
    const lines: BenchLine[] = [];
    try {
      for (const make of [benchMlp, benchCnn, benchTransformer]) {
        const m = make();
        const fwd = await forwardMs(m);
        const step = await stepMs(m);
        const row: TrainBenchRow = {
          model: m.name, batch: m.batch, forwardMs: fwd, stepMs: step.run, stepWallMs: step.wall,
          maskedWeights: m.masked.reduce((a, n) => a + elementCount(m.model.graph.initializers.get(n)!.dims), 0),
        };
        lines.push({ label: `${m.name} forward (batch ${m.batch})`, ms: fwd });
        lines.push({
          label: `${m.name} mask step (fwd+bwd+Adam)`, ms: step.run, targetMs: 3 * fwd,
          note: `step/forward ${(step.run / fwd).toFixed(2)}×, wall ${step.wall.toFixed(1)} ms`,
        });
        if (py) {
          const t = torchTimes(py, m, dir);
          if ('error' in t) {
            lines.push({ label: `${m.name} PyTorch step`, ms: NaN, note: `PyTorch failed: ${t.error}` });
          } else {
            row.torchForwardMs = t.forwardMs;
            row.torchStepMs = t.stepMs;
            lines.push({
              label: `${m.name} mask step vs PyTorch's`, ms: step.run, targetMs: t.stepMs,
              note: `PyTorch forward ${t.forwardMs.toFixed(1)} ms, step ${t.stepMs.toFixed(1)} ms`,
            });
          }
        }
        rows.push(row);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const blas = torchBlasDir();
    const torchNote = !py ? '  (PyTorch columns empty: python3-torch is not installed)\n'
      : `  (PyTorch ${blas
        ? `with the libblas.so.3 in ${blas}`
        : 'with the system libblas.so.3 (Debian default: reference BLAS, slow; '
          + 'set BENCH_TORCH_BLAS_DIR to an OpenBLAS folder)'})\n`;
    process.stdout.write(`${formatTrainTable(rows)}\n${torchNote}`);
    return lines;
  },
};
