// View models for the webview tests: a real exported model's layer graph, a synthetic
// transformer-like graph of any size, seeded random masks and a results.json-shaped object.
import * as path from 'node:path';
import { buildOverlayView, type RunMasks } from '../../src/core/views/buildOverlayView';
import { buildLayerGraph } from '../../src/core/views/layerGraph';
import { readModel } from '../../src/core/onnx/readModel';
import type { ResultsFile, SeedResult } from '../../src/shared/results';
import type { LayerGraphView, LayerNode, OverlayView } from '../../src/shared/viewModel';
import { Rng } from '../../src/core/util/random';

export function attentionGraph(): LayerGraphView {
  return buildLayerGraph(readModel(path.join(__dirname, '..', 'fixtures', 'attention.onnx')));
}

/** Seeded uniform draws in [0, 1) from the engine's Rng. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** About `n` op nodes in blocks of residual attention + MLP, grouped /block.i/{attn,mlp}. */
export function syntheticGraph(n: number): LayerGraphView {
  const nodes: LayerNode[] = [];
  const edges: LayerGraphView['edges'] = [];
  const groups: LayerGraphView['groups'] = [];
  const add = (id: string, opType: string, group: string | undefined, inputs: string[], param?: number[]) => {
    const parameters = param ? [
      { name: `${id}.weight`, shape: param, dataType: 'float32', count: param[0]! * param[1]!, maskable: true }] : [];
    nodes.push({ id, label: id.split('/').pop()!, opType, domain: '', group,
      attributes: opType === 'Softmax' ? { axis: '-1' } : {},
      inputs: inputs.map((s) => ({ name: s + ':0', shape: [1, 64], dataType: 'float32' })),
      outputs: [{ name: id + ':0', shape: [1, 64], dataType: 'float32' }], parameters,
      parameterCount: parameters.reduce((a, p) => a + p.count, 0) });
    for (const s of inputs) edges.push({ id: `${s}->${id}`, source: s, target: id, tensor: s + ':0', shape: [1, 64] });
  };
  add('input:x', 'Input', undefined, []);
  let prev = 'input:x';
  const perBlock = 14;
  const blocks = Math.max(1, Math.floor((n - 2) / perBlock));
  for (let b = 0; b < blocks; b++) {
    const g = `scope:/block.${b}`;
    groups.push({ id: g, label: `/block.${b}`, nodeCount: perBlock, parameterCount: 0 });
    const ga = `${g}/attn`;
    const gm = `${g}/mlp`;
    groups.push({ id: ga, label: `/block.${b}/attn`, parent: g, nodeCount: 9, parameterCount: 0 });
    groups.push({ id: gm, label: `/block.${b}/mlp`, parent: g, nodeCount: 4, parameterCount: 0 });
    const p = `/block.${b}`;
    add(`${p}/attn/q`, 'MatMul', ga, [prev], [64, 64]);
    add(`${p}/attn/k`, 'MatMul', ga, [prev], [64, 64]);
    add(`${p}/attn/v`, 'MatMul', ga, [prev], [64, 64]);
    add(`${p}/attn/Transpose`, 'Transpose', ga, [`${p}/attn/k`]);
    add(`${p}/attn/scores`, 'MatMul', ga, [`${p}/attn/q`, `${p}/attn/Transpose`]);
    add(`${p}/attn/Softmax`, 'Softmax', ga, [`${p}/attn/scores`]);
    add(`${p}/attn/mix`, 'MatMul', ga, [`${p}/attn/Softmax`, `${p}/attn/v`]);
    add(`${p}/attn/out`, 'MatMul', ga, [`${p}/attn/mix`], [64, 64]);
    add(`${p}/attn/Add`, 'Add', ga, [`${p}/attn/out`, prev]);
    add(`${p}/LayerNorm`, 'LayerNormalization', g, [`${p}/attn/Add`]);
    add(`${p}/mlp/up`, 'MatMul', gm, [`${p}/LayerNorm`], [64, 256]);
    add(`${p}/mlp/Gelu`, 'Gelu', gm, [`${p}/mlp/up`]);
    add(`${p}/mlp/down`, 'MatMul', gm, [`${p}/mlp/Gelu`], [256, 64]);
    add(`${p}/mlp/Add`, 'Add', gm, [`${p}/mlp/down`, `${p}/LayerNorm`]);
    prev = `${p}/mlp/Add`;
  }
  add('output:y', 'Output', undefined, [prev]);
  const parameterCount = nodes.reduce((a, x) => a + x.parameterCount, 0);
  return { model: { name: `synthetic-${n}`, irVersion: 9, opset: 17, producer: 'test', parameterCount,
    maskableCount: nodes.filter((x) => x.parameters.length).length }, nodes, edges, groups };
}

/**
 * Masks for every maskable parameter: per layer a random keep rate per subnetwork; subnetwork 1
 * re-uses part of subnetwork 0's weights so that intersections exist. Seeds differ slightly.
 */
export function randomMasks(graph: LayerGraphView, subroutines: string[], seeds: number[], seed = 1): RunMasks {
  const r = rng(seed);
  const masks: RunMasks = new Map();
  const params = graph.nodes.flatMap((n) => n.parameters.filter((p) => p.maskable));
  const rate = new Map(params.map((p) => [p.name, subroutines.map(() => (r() < 0.3 ? 0 : 0.02 + r() * 0.3))]));
  for (const [i, sub] of subroutines.entries()) {
    const bySeed = new Map<number, Map<string, Uint8Array>>();
    for (const s of seeds) {
      const set = new Map<string, Uint8Array>();
      for (const p of params) {
        const m = new Uint8Array(p.count);
        const base = rng(1000 + p.count + p.name.length); // shared across subnetworks: creates overlap
        const rs = rng(7 * s + 13 * i + p.name.length);
        const k = rate.get(p.name)![i]!;
        for (let e = 0; e < m.length; e++) m[e] = (i > 0 && base() < k * 0.5) || rs() < k ? 1 : 0;
        set.set(p.name, m);
      }
      bySeed.set(s, set);
    }
    masks.set(sub, bySeed);
  }
  return masks;
}

function stats(mean: number, n = 3): ResultsFile['subroutines'][string]['stats']['subnetworkScore'] {
  return { n, mean, sd: 0.05, ci95: [mean - 0.1, mean + 0.1], t: 4, df: n - 1, p: 0.02 };
}

/** A results.json-shaped object with the fields the overlay reads (two subroutines, task test set). */
export function fakeResults(subroutines: string[], seeds: number[]): ResultsFile {
  const testSets = [...subroutines, 'task'];
  const acc = (own: number, other: number, task: number, sub: string) =>
    Object.fromEntries(testSets.map((t) => [t, t === 'task' ? task : t === sub ? own : other]));
  const subs: ResultsFile['subroutines'] = {};
  subroutines.forEach((name, i) => {
    const seedResults = seeds.map((seed, k) => ({
      seed, keptFraction: 0.05 + 0.01 * k, kept: 0, total: 0, layers: {},
      accuracy: { full: acc(0.97, 0.97, 0.95, name), subnetwork: acc(0.9 - 0.02 * k, 0.3, 0.4, name),
        ablation: acc(0.26 + 0.01 * k, 0.85, 0.5, name) },
      subnetworkScore: 0.6, ablationScore: -0.55, mask: `masks/${name}/seed-${seed}.safetensors`,
      training: { steps: 100, finalLoss: 0.1, trainAccuracy: 0.95, finalBeta: 200, ms: 1000,
        hyperparameters: { init: 0.05, lambda: 1e-8, lr: 0.01, epochs: 90 } },
    })) as unknown as SeedResult[];
    subs[name] = {
      subnetworkScore: 0.6, ablationScore: -0.55,
      verdict: i === 0 ? 'compositional' : 'inconclusive',
      verdictReason: i === 0 ? 'Subnetwork score > 0 and ablation score < 0 at p < 0.05 over 3 seeds.'
        : 'The ablation score is not significantly below 0.',
      seeds: seedResults,
      stats: { subnetworkScore: stats(0.6), ablationScore: stats(i === 0 ? -0.55 : -0.02), keptFraction: stats(0.06) },
      randomAblation: {
        draws: 50, perSeed: [], combination: 'fisher', p: 0.002, pAdjusted: 0.004, observedScoreMean: -0.55,
        nullScoreMean: 0.01,
        nullScoreRange: [-0.05, 0.06], observedMean: 0.27, nullMean: 0.9, damageP: 0.02,
      },
    };
  });
  return {
    schemaVersion: 1, runId: 'run-test', subroutineNames: subroutines, testSets, chance: 0.25,
    ablationMode: 'zero', partial: false,
    subroutines: subs,
    controls: {
      randomInit: { subroutines: Object.fromEntries(subroutines.map((n) =>
        [n, { subnetworkScore: 0.01, ablationScore: 0.0, seeds: [],
          stats: { subnetworkScore: stats(0.01), ablationScore: stats(0), keptFraction: stats(0.1) } }])) },
      ablationModes: { mean: Object.fromEntries(subroutines.map((n) => [n, { seeds: [], stats: stats(-0.4) }])) },
    },
    overlap: { pairs: [], stability: {},
      matrix: { names: subroutines, iou: subroutines.map((_, i) => subroutines.map((__, j) => (i === j ? 0.71 : 0.2))),
        ioMin: subroutines.map((_, i) => subroutines.map((__, j) => (i === j ? 0.83 : 0.4))), layers: {} } },
  } as ResultsFile;
}

export function fakeOverlay(graph: LayerGraphView, subroutines = ['inside', 'touch'], seeds = [0, 1, 2]): OverlayView {
  return buildOverlayView(
    { graph, masks: randomMasks(graph, subroutines, seeds), results: fakeResults(subroutines, seeds) });
}
