// Entry of the compute child process (dist/worker.js), forked by src/extension/WorkerClient.ts.
// onnxruntime runs here, never in the extension host: a native abort only takes this process down.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ablate } from '../core/analysis/ablate';
import { buildOverlayView, type RunMasks } from '../core/analysis/buildOverlayView';
import { exportModel } from '../core/analysis/exportModel';
import { readMask, readRun } from '../core/analysis/readRun';
import { runFind } from '../core/analysis/runFind';
import { inferShapes } from '../core/onnx/inferShapes';
import { buildLayerGraph } from '../core/onnx/layerGraph';
import { readModel } from '../core/onnx/readModel';
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

/** Layer graphs by model path, rebuilt when the file changes. */
const graphs = new Map<string, { mtimeMs: number; view: Promise<LayerGraphView> }>();

function layerGraph(modelPath: string): Promise<LayerGraphView> {
  const mtimeMs = fs.statSync(modelPath).mtimeMs;
  const cached = graphs.get(modelPath);
  if (cached && cached.mtimeMs === mtimeMs) return cached.view;
  const view = (async () => {
    const model = readModel(modelPath);
    let shapes: Awaited<ReturnType<typeof inferShapes>> | undefined;
    try {
      shapes = await inferShapes(model);
    } catch (e) {
      send({ type: 'log', message: `shapes of ${modelPath} not inferred: ${(e as Error).message}` });
    }
    return buildLayerGraph(model, shapes);
  })();
  graphs.set(modelPath, { mtimeMs, view });
  view.catch(() => graphs.delete(modelPath));
  return view;
}

const abortAll = serveJobs(
  { send, onMessage: (listener) => process.on('message', listener) },
  {
    find: runFind,
    ablate,
    exportModel,
    layerGraph: ({ modelPath }) => layerGraph(modelPath),
    overlay: async ({ modelPath, runDir }) => {
      const graph = await layerGraph(modelPath);
      const run = readRun(runDir);
      const masks: RunMasks = new Map();
      for (const ref of run.masks) {
        if (ref.variant !== 'trained') continue;
        const { masks: tensors } = readMask(path.join(runDir, ref.file));
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
