// Writes a copy of a run's model with one subnetwork's mask applied (placeholder until implemented).
import type { ExportModelOptions, ExportModelResult, JobHooks } from '../../shared/jobs';

export async function exportModel(options: ExportModelOptions, _hooks: JobHooks): Promise<ExportModelResult> {
  throw new Error(`exportModel is not implemented yet (run ${options.runDir})`);
}
