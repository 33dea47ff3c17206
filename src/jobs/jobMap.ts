// Every job by name: its typed input and output, and the function that runs it. The worker serves this
// map to the extension, the CLI runs the same functions in-process; the extension imports only the types.
import type {
  AblateOptions, AblateResult, ExportModelOptions, ExportModelResult, FindOptions, FindResult, JobHooks,
} from '../shared/jobs';
import type { LayerGraphView, OverlayView } from '../shared/viewModel';
import type { InspectReport } from '../core/views/inspectModel';
import { ablate } from './ablate';
import { attribute, type AttributeJobOptions, type AttributeJobResult } from './attribute';
import { demo, type DemoJobOptions } from './demo';
import type { DemoSummary } from './runDemo';
import { exportModel } from './exportModel';
import { gradcheck, type GradcheckJobOptions, type GradcheckJobResult } from './gradcheck';
import { inspect, type InspectJobOptions } from './inspect';
import { layerGraph, type LayerGraphOptions } from './layerGraph';
import { overlay, type OverlayOptions } from './overlay';
import { pruneModel, type PruneOptions, type PruneResult } from './pruneModel';
import { runFind } from './runFind';

export interface JobMap {
  /** Train masks for every subroutine × seed, ablate, run the controls, write the run folder. */
  find: { options: FindOptions; result: FindResult };
  /** Re-evaluate a saved mask under one ablation mode. */
  ablate: { options: AblateOptions; result: AblateResult };
  /** Write a pruned or ablated copy of a model. */
  export: { options: ExportModelOptions; result: ExportModelResult };
  /** Train one mask on the whole task and write the model cut to a fraction of its weights. */
  prune: { options: PruneOptions; result: PruneResult };
  /** W ⊙ ∂L/∂W per maskable initializer, written as safetensors. */
  attribute: { options: AttributeJobOptions; result: AttributeJobResult };
  /** Mask gradients against float64 finite differences. */
  gradcheck: { options: GradcheckJobOptions; result: GradcheckJobResult };
  /** A model's summary, without running it. */
  inspect: { options: InspectJobOptions; result: InspectReport };
  /** A model's layer graph view model. */
  layerGraph: { options: LayerGraphOptions; result: LayerGraphView };
  /** A run's masks and results drawn over the model's layer graph. */
  overlay: { options: OverlayOptions; result: OverlayView };
  /** The built-in tasks end to end, with the controls and a summary. */
  demo: { options: DemoJobOptions; result: DemoSummary };
}

export type JobName = keyof JobMap;

export type Job<K extends JobName> = (options: JobMap[K]['options'], hooks: JobHooks) => Promise<JobMap[K]['result']>;

export type JobTable = { [K in JobName]: Job<K> };

export const jobs: JobTable = {
  find: runFind,
  ablate,
  export: exportModel,
  prune: pruneModel,
  attribute,
  gradcheck,
  inspect,
  layerGraph,
  overlay,
  demo,
};
