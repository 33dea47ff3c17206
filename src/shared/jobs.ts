// Long-running engine jobs as the extension, the worker process and the CLI see them.

/** One progress report from a running job. Fields beyond `message` are set when they apply. */
export interface ProgressEvent {
  /** Overall completion in [0, 1]. */
  fraction: number;
  message: string;
  subroutine?: string;
  seed?: number;
  phase?: 'generate' | 'pretrain' | 'train-base' | 'train-mask' | 'evaluate' | 'controls' | 'overlap' | 'report';
  step?: number;
  steps?: number;
  loss?: number;
  accuracy?: number;
  keptFraction?: number;
  beta?: number;
}

export interface JobHooks {
  onProgress(event: ProgressEvent): void;
  /** Aborting stops the job within one training step; what was saved stays consistent. */
  signal: AbortSignal;
}

/** Options of `subnetwork-lens find` and of the extension's Find subnetworks. */
export interface FindOptions {
  specPath: string;
  /** Run folder; default `.subnetwork-lens/runs/<id>/` in the spec's workspace. */
  outDir?: string;
  /** Workspace root that spec paths may not leave (default: the spec's folder). */
  workspaceRoot?: string;
  seeds?: number[];
  threads?: number;
  /** Continue a cancelled or crashed run in this folder. */
  resume?: string;
}

export interface FindResult {
  runDir: string;
  status: 'complete' | 'cancelled' | 'failed';
}
