// The overlay job: a run's masks and results drawn over the model's layer graph (reads the mask files).
import * as path from 'node:path';
import { isInsideFolder } from '../shared/isInsideFolder';
import type { JobHooks } from '../shared/jobs';
import type { OverlayView } from '../shared/viewModel';
import { readMask, readRun } from '../core/runStore/readRun';
import { buildOverlayView, type RunMasks } from '../core/views/buildOverlayView';
import { layerGraph, type LayerGraphOptions } from './layerGraph';

/** The run whose masks and results are drawn over its model's layer graph. */
export interface OverlayOptions extends LayerGraphOptions {
  runDir: string;
}

export async function overlay(
  { modelPath, runDir, trusted }: OverlayOptions, hooks: Pick<JobHooks, 'onLog'>,
): Promise<OverlayView> {
  const graph = await layerGraph({ modelPath, trusted }, hooks);
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
}
