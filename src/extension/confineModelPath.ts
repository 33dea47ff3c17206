// The model path a run's run.json (or plan.json) names, checked before the extension opens it: it must be a string
// that resolves (against the run folder when relative) to a file inside one of the allowed folders.
import * as path from 'node:path';
import { isInsideFolder } from '../shared/isInsideFolder';

export function confineModelPath(
  model: unknown, runDir: string, allowed: readonly string[], file = 'run.json',
): string {
  const where = path.join(runDir, file);
  if (typeof model !== 'string' || model === '') throw new Error(`${where}: field 'model' must be a file path`);
  const resolved = path.resolve(runDir, model);
  if (!allowed.some((folder) => isInsideFolder(resolved, folder))) {
    throw new Error(`${where}: the model ${model} lies outside the workspace, so it is not opened`);
  }
  return resolved;
}
