// Re-evaluates a saved mask of a run under one ablation mode (placeholder until implemented).
import type { AblateOptions, AblateResult, JobHooks } from '../../shared/jobs';

export async function ablate(options: AblateOptions, _hooks: JobHooks): Promise<AblateResult> {
  throw new Error(`ablate is not implemented yet (run ${options.runDir})`);
}
