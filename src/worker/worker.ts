// Entry of the compute child process (dist/worker.js), forked by src/extension/WorkerClient.ts.
// onnxruntime runs here, never in the extension host: a native abort only takes this process down.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ablate } from '../jobs/ablate';
import { buildOverlayView, type RunMasks } from '../core/views/buildOverlayView';
import { exportModel } from '../jobs/exportModel';
import { readMask, readRun } from '../core/runStore/readRun';
import { runFind } from '../jobs/runFind';
import { inferShapes } from '../core/runtime/inferShapes';
import { inferShapesStatically } from '../core/onnx/inferShapesStatically';
import type { Dim, Model } from '../core/onnx/ir';
import { buildLayerGraph } from '../core/views/layerGraph';
import { readModel } from '../core/onnx/readModel';
import { isInsideFolder } from '../shared/isInsideFolder';
import type { LayerGraphView } from '../shared/viewModel';
import type { FromWorker } from '../shared/workerProtocol';
import { serveJobs } from './serveJobs';

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

if (!process.send) {
  console.error('dist/worker.js is the extension\'s compute process; start it with child_process.fork.');
  process.exit(2);
}

/** Layer graphs by model path and trust, rebuilt when the file changes. */
const graphs = new Map<string, { mtimeMs: number; view: Promise<LayerGraphView> }>();

/** A trusted model is probed only when its probe inputs and every statically known activation fit in this. */
const MAX_PROBE_BYTES = 16 * 2 ** 20;

function layerGraph(modelPath: string, trusted: boolean): Promise<LayerGraphView> {
  const mtimeMs = fs.statSync(modelPath).mtimeMs;
  const key = `${trusted ? 'trusted' : 'restricted'}:${modelPath}`;
  const cached = graphs.get(key);
  if (cached && cached.mtimeMs === mtimeMs) return cached.view;
  const view = (async () => {
    const model = readModel(modelPath);
    return buildLayerGraph(model, trusted ? await measuredShapes(model, modelPath) : inferShapesStatically(model));
  })();
  graphs.set(key, { mtimeMs, view });
  view.catch(() => graphs.delete(key));
  return view;
}

/**
 * Shapes of a trusted model: the static ones, with onnxruntime's measurements for what they leave
 * unknown, unless a tensor the static pass knows is already too large to probe.
 */
async function measuredShapes(model: Model, modelPath: string): Promise<Map<string, Dim[]>> {
  const stated = inferShapesStatically(model);
  const outputs = model.graph.nodes.flatMap((n) => n.outputs.filter(Boolean));
  if (outputs.every((name) => stated.get(name)?.every((d) => d !== null))) return stated;
  // Node outputs are what a probe allocates; a symbolic dim counts as 8 (probes bind symbols to small sizes).
  const bytes = (s: Dim[] = []) => s.reduce<number>((p, d) => p * (typeof d === 'number' ? d : 8), 4);
  const largest = outputs.reduce((max, name) => Math.max(max, bytes(stated.get(name))), 0);
  if (largest > MAX_PROBE_BYTES) {
    send({ type: 'log', message: `shapes of ${modelPath} not measured: a tensor takes ${largest} bytes` });
    return stated;
  }
  try {
    const measured = await inferShapes(model, { maxProbeBytes: MAX_PROBE_BYTES });
    return new Map([...stated, ...measured]);
  } catch (e) {
    send({ type: 'log', message: `shapes of ${modelPath} not measured: ${(e as Error).message}` });
    return stated;
  }
}

const abortAll = serveJobs(
  { send, onMessage: (listener) => process.on('message', listener) },
  {
    find: runFind,
    ablate,
    exportModel,
    layerGraph: ({ modelPath, trusted }) => layerGraph(modelPath, trusted === true),
    overlay: async ({ modelPath, runDir, trusted }) => {
      const graph = await layerGraph(modelPath, trusted === true);
      const run = readRun(runDir);
      const masks: RunMasks = new Map();
      for (const ref of run.masks) {
        if (ref.variant !== 'trained') continue;
        const file = path.resolve(runDir, ref.file);
        if (!isInsideFolder(file, runDir)) {
          throw new Error(`run.json in ${runDir} names a mask file outside the run folder: ${ref.file}`);
        }
        const { masks: tensors } = readMask(file);
        if (!masks.has(ref.subroutine)) masks.set(ref.subroutine, new Map());
        masks.get(ref.subroutine)!.set(ref.seed, new Map(Object.entries(tensors)));
      }
      return buildOverlayView({ graph, masks, results: run.results, runId: run.id });
    },
  },
);

// The host went away (window closed, extension host restarted): stop the jobs so they mark their
// runs cancelled, then leave.
process.on('disconnect', () => {
  abortAll();
  setTimeout(() => process.exit(0), 2000).unref();
});

process.on('uncaughtException', (e) => {
  send({ type: 'log', message: `worker crashed: ${e.name}: ${e.message}` });
  process.exit(1);
});

send({ type: 'ready', pid: process.pid });
