// The layer graph job: a model's layer graph view model. Shapes come from the file; only a trusted model
// may run in onnxruntime to measure the ones the static pass leaves unknown.
import * as fs from 'node:fs';
import type { JobHooks } from '../shared/jobs';
import type { LayerGraphView } from '../shared/viewModel';
import { inferShapesStatically } from '../core/onnx/inferShapesStatically';
import type { Dim, Model } from '../core/onnx/ir';
import { readModel } from '../core/onnx/readModel';
import { inferShapes } from '../core/runtime/inferShapes';
import { buildLayerGraph } from '../core/views/layerGraph';

/**
 * The model to draw. Shapes are inferred from the file; only when `trusted` (the workspace is trusted) may
 * onnxruntime run the model to measure the ones left unknown.
 */
export interface LayerGraphOptions {
  modelPath: string;
  trusted?: boolean;
}

/** Layer graphs by model path and trust, rebuilt when the file changes. */
const graphs = new Map<string, { mtimeMs: number; view: Promise<LayerGraphView> }>();

/** A trusted model is probed only when its probe inputs and every statically known activation fit in this. */
const MAX_PROBE_BYTES = 16 * 2 ** 20;

/** The layer graph of a model, cached per model path and trust until the file changes. */
export function layerGraph(
  { modelPath, trusted = false }: LayerGraphOptions, hooks: Pick<JobHooks, 'onLog'>,
): Promise<LayerGraphView> {
  const mtimeMs = fs.statSync(modelPath).mtimeMs;
  const key = `${trusted ? 'trusted' : 'restricted'}:${modelPath}`;
  const cached = graphs.get(key);
  if (cached && cached.mtimeMs === mtimeMs) return cached.view;
  const view = (async () => {
    const model = readModel(modelPath);
    const shapes = trusted ? await measuredShapes(model, modelPath, hooks) : inferShapesStatically(model);
    return buildLayerGraph(model, shapes);
  })();
  graphs.set(key, { mtimeMs, view });
  view.catch(() => graphs.delete(key));
  return view;
}

/**
 * Shapes of a trusted model: the static ones, with onnxruntime's measurements for what they leave
 * unknown, unless a tensor the static pass knows is already too large to probe.
 */
async function measuredShapes(
  model: Model, modelPath: string, hooks: Pick<JobHooks, 'onLog'>,
): Promise<Map<string, Dim[]>> {
  const stated = inferShapesStatically(model);
  const outputs = model.graph.nodes.flatMap((n) => n.outputs.filter(Boolean));
  if (outputs.every((name) => stated.get(name)?.every((d) => d !== null))) return stated;
  // Node outputs are what a probe allocates; a symbolic dim counts as 8 (probes bind symbols to small sizes).
  const bytes = (s: Dim[] = []) => s.reduce<number>((p, d) => p * (typeof d === 'number' ? d : 8), 4);
  const largest = outputs.reduce((max, name) => Math.max(max, bytes(stated.get(name))), 0);
  if (largest > MAX_PROBE_BYTES) {
    hooks.onLog?.(`shapes of ${modelPath} not measured: a tensor takes ${largest} bytes`);
    return stated;
  }
  try {
    const measured = await inferShapes(model, { maxProbeBytes: MAX_PROBE_BYTES });
    return new Map([...stated, ...measured]);
  } catch (e) {
    hooks.onLog?.(`shapes of ${modelPath} not measured: ${(e as Error).message}`);
    return stated;
  }
}

