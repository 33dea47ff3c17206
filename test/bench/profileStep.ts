// Where a mask-training step spends its time: runs the mask-training step (continuous sparsification,
// or hard concrete with --method hard-concrete: onnxruntime's forward and backward, then adamUpdate) of one bench
// model under onnxruntime's profiler and prints kernel milliseconds per op type and for the slowest
// nodes (median over steps), against the step's wall time without the profiler. This is how the conv,
// max-pool and broadcast-gradient costs in the README were found.
// Usage: node --import tsx test/bench/profileStep.ts mlp|cnn|transformer|zoo:NAME [--steps N] [--method hard-concrete]
// (zoo:NAME: a model-zoo model at opset 17, every maskable tensor, its 8 rows; see test/unit/zoo/zooModels.ts)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchCnn, benchMlp, benchTransformer, type BenchModel } from './trainModels';
import { inputsFor } from './trainBench';
import { buildTrainingGraph } from '../../src/core/train/buildTrainingGraph';
import { adamUpdate } from '../../src/core/train/adamUpdate';
import { median, type FloatArray } from '../../src/core/train/Trainer';
import { oneHot } from '../../src/core/train/lossHeads';
import { encodeModel } from '../../src/core/onnx/writeModel';
import { ort } from '../../src/core/runtime/session';
import { chooseTensors, openModelData } from '../../src/jobs/modelData';
import { readModel } from '../../src/core/onnx/readModel';
import { toOrt } from '../../src/core/train/toOrt';
import { elementCount, type Model } from '../../src/core/onnx/ir';
import { openZoo } from '../unit/zoo/zooModels';

const MODELS: Record<string, () => BenchModel> = { mlp: benchMlp, cnn: benchCnn, transformer: benchTransformer };
const THREADS = Number(process.env.BENCH_THREADS ?? 2);

interface ProfileEvent { cat: string; name: string; dur: number; args: { op_name: string } }

interface Profiled {
  label: string;
  model: Model;
  masked: string[];
  inputs: Record<string, ort.Tensor>;
  labels: ArrayLike<number | bigint>;
}

async function profiled(arg: string): Promise<Profiled> {
  if (arg.startsWith('zoo:')) {
    const name = arg.slice(4);
    const zoo = openZoo();
    if (typeof zoo === 'string') throw new Error(zoo);
    if (!zoo.models[name]) throw new Error(`no zoo model '${name}'; zoo: ${Object.keys(zoo.models).join(', ')}`);
    const model = readModel(path.join(zoo.dir, zoo.models[name]!.files['17']!));
    const data = await openModelData(path.join(zoo.dir, `${name}.data.npz`), model, { type: 'classify' });
    try {
      const rows = data.rows(Uint32Array.from({ length: data.size }, (_, i) => i));
      const inputs = Object.fromEntries(Object.entries(rows.inputs).map(([k, a]) => [k, toOrt(a.data, a.dims)]));
      return { label: name, model, masked: chooseTensors(model, undefined), inputs, labels: rows.labels };
    } finally {
      data.dataset.close();
    }
  }
  const make = MODELS[arg];
  const usage = `usage: profileStep.ts ${Object.keys(MODELS).join('|')}|zoo:NAME [--steps N] [--method hard-concrete]`;
  if (!make) throw new Error(usage);
  const m = make();
  const { data, labels } = inputsFor(m, m.batch, 1);
  const inputs = { [m.input]: new ort.Tensor('float32', data, [m.batch, ...m.example]) };
  return { label: m.name, model: m.model, masked: m.masked, inputs, labels };
}

async function main(argv: string[]): Promise<void> {
  const steps = argv.includes('--steps') ? Number(argv[argv.indexOf('--steps') + 1]) : 30;
  const method = argv.includes('--method') ? argv[argv.indexOf('--method') + 1] : 'continuous-sparsification';
  if (method !== 'continuous-sparsification' && method !== 'hard-concrete') {
    throw new Error(`--method must be continuous-sparsification or hard-concrete, got '${method}'`);
  }
  const m = await profiled(argv[0] ?? '');
  const tg = await buildTrainingGraph(m.model, {
    output: 'logits', head: { type: 'classify' }, tensors: m.masked, update: 'adam',
    target: { kind: 'mask', method, lambda: 1e-8 },
  });
  const feeds: Record<string, ort.Tensor> = {
    ...m.inputs,
    [tg.onehot]: new ort.Tensor('float32', oneHot(m.labels, tg.classes, tg.floatType) as FloatArray,
      [m.labels.length, tg.classes]),
  };
  const beta = 2;
  if (tg.beta) feeds[tg.beta] = new ort.Tensor('float32', Float32Array.of(beta), []);
  const { size, param, noise } = tg.flat;
  const vectors = {
    params: new Float32Array(size).fill(0.05), m: new Float32Array(size), v: new Float32Array(size),
    grad: new Float32Array(size), gate: new Float32Array(size),
  };
  feeds[param] = new ort.Tensor('float32', vectors.params, [size]);
  const noiseValues = Float32Array.from({ length: size }, (_, i) => Math.sin(i));
  if (noise) feeds[noise] = new ort.Tensor('float32', noiseValues, [size]);
  // The gradient and gate outputs written into flat vectors as the Trainer binds them; the update reads them.
  const adam = tg.adam!;
  const fetches: Record<string, ort.Tensor | null> = { [tg.loss]: null };
  for (const g of adam.gradients) {
    fetches[g.output] = new ort.Tensor('float32', vectors.grad.subarray(g.offset, g.offset + elementCount(g.shape)),
      g.shape);
  }
  if (adam.gate) fetches[adam.gate] = new ort.Tensor('float32', vectors.gate, [size]);
  const chain = adam.gate ? { kind: 'sigmoid' as const, beta, lambda: adam.lambda } : { kind: 'none' as const };
  const update = () => adamUpdate(vectors, { stepSize: 0.01, ...adam.hyper, chain });
  const bytes = encodeModel(tg.model).model;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-step-'));
  const options = {
    intraOpNumThreads: THREADS, interOpNumThreads: 1,
    graphOptimizationLevel: 'all' as const, executionMode: 'sequential' as const,
  };
  const timed = async (session: ort.InferenceSession) => {
    const times: number[] = [];
    const updates: number[] = [];
    for (let i = 0; i < steps + 3; i++) {
      const t0 = performance.now();
      await session.run(feeds, fetches);
      const t1 = performance.now();
      update();
      if (i >= 3) times.push(performance.now() - t0);
      if (i >= 3) updates.push(performance.now() - t1);
    }
    return { median: median(times), min: Math.min(...times), update: median(updates) };
  };
  try {
    const plain = await ort.InferenceSession.create(bytes, options);
    const wall = await timed(plain);
    await plain.release();
    const profiled = await ort.InferenceSession.create(bytes, {
      ...options, enableProfiling: true, profileFilePrefix: path.join(dir, 'step'),
    });
    await timed(profiled);
    profiled.endProfiling();
    await profiled.release();
    const file = fs.readdirSync(dir).map((f) => path.join(dir, f)).find((f) => f.endsWith('.json'))!;
    const events = (JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileEvent[])
      .filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
    const perNode = new Map<string, { op: string; durs: number[] }>();
    for (const e of events) {
      const key = e.name.slice(0, -'_kernel_time'.length);
      if (!perNode.has(key)) perNode.set(key, { op: e.args.op_name, durs: [] });
      perNode.get(key)!.durs.push(e.dur / 1000);
    }
    const nodes = [...perNode]
      .map(([name, { op, durs }]) => ({ name, op, ms: median(durs) }))
      .sort((a, b) => b.ms - a.ms);
    const byOp = new Map<string, number>();
    for (const n of nodes) byOp.set(n.op, (byOp.get(n.op) ?? 0) + n.ms);
    const kernels = nodes.reduce((a, n) => a + n.ms, 0);
    process.stdout.write(
      `${m.label} (${method}): ${tg.model.graph.nodes.length} nodes, step ${wall.median.toFixed(2)} ms wall `
        + `(no profiler; fastest ${wall.min.toFixed(2)}), of which the Adam update (adamUpdate) `
        + `${wall.update.toFixed(2)} ms; onnxruntime kernels ${kernels.toFixed(2)} ms, ${THREADS} threads\n`,
    );
    process.stdout.write('per op type (ms):\n');
    for (const [op, ms] of [...byOp].sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms >= 0.05)) {
      process.stdout.write(`  ${op.padEnd(22)} ${ms.toFixed(2).padStart(7)}\n`);
    }
    const byPart = new Map<string, { ms: number; nodes: number }>();
    for (const n of nodes) {
      const part = partOf(n.name);
      const entry = byPart.get(part) ?? { ms: 0, nodes: 0 };
      byPart.set(part, { ms: entry.ms + n.ms, nodes: entry.nodes + 1 });
    }
    process.stdout.write('per part of the step (ms, nodes):\n');
    for (const [part, { ms, nodes: count }] of [...byPart].sort((a, b) => b[1].ms - a[1].ms)) {
      process.stdout.write(`  ${part.padEnd(22)} ${ms.toFixed(2).padStart(7)} ${String(count).padStart(6)}\n`);
    }
    process.stdout.write('slowest nodes (ms):\n');
    for (const n of nodes.slice(0, 15)) {
      process.stdout.write(`  ${n.ms.toFixed(2).padStart(7)}  ${n.op.padEnd(16)} ${n.name}\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Which part of the step a node belongs to, from the name prefixes buildTrainingGraph gives its nodes. */
function partOf(node: string): string {
  if (node.startsWith('grad/train/')) return 'mask gates backward';
  if (node.startsWith('train/')) return 'mask gates, loss';
  if (node.startsWith('grad/')) return 'model backward';
  return 'model forward';
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE') throw e; }); // e.g. piped into head
main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`profileStep: ${(e as Error)?.message ?? String(e)}\n`);
  process.exitCode = 1;
});
