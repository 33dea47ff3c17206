// Every run folder under a results folder, read with the engine's reader (src/core/runStore/readRun.ts),
// and grouped by the model each run names. A folder that cannot be read, or a run whose model lies outside
// the workspace, becomes a problem line in the tree instead of hiding the others.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResultsFile, RunInfo } from '../shared/results';
import { readRun } from '../core/runStore/readRun';
import { PLAN_FILE, readPlanRecord, type PlanRecord } from '../core/runStore/planRecord';
import { readRunProgress, type RunProgress } from '../core/runStore/runProgress';
import { confineModelPath } from './confineModelPath';

export interface RunRecord {
  /** Absolute run folder. */
  dir: string;
  info: RunInfo;
  /** Absent until the first work item finished. */
  results?: ResultsFile;
  /** Says `running` but a started shard's heartbeat stopped: probably crashed. */
  stale: boolean;
  /** Shards queued, running, stalled or done (null for runs made before shard records). */
  progress: RunProgress | null;
  problems: string[];
}

/** A run that `plan --slurm/--k8s` prepared and no shard has started yet (plan.json, no run.json). */
export interface QueuedRun {
  dir: string;
  plan: PlanRecord;
  progress: RunProgress;
}

export interface LoadedRuns {
  runs: RunRecord[];
  queued: QueuedRun[];
  problems: string[];
}

export async function loadRuns(runsDir: string, now = Date.now()): Promise<LoadedRuns> {
  let names: string[];
  try {
    names = fs.readdirSync(runsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return { runs: [], queued: [], problems: [] };
  }
  const loaded: LoadedRuns = { runs: [], queued: [], problems: [] };
  for (const name of names.sort()) {
    const dir = path.join(runsDir, name);
    try {
      // A run that has not written run.json yet is not a problem: it appears once it has (or its plan).
      if (!fs.existsSync(path.join(dir, 'run.json'))) {
        const plan = readPlanRecord(dir);
        const progress = plan && readRunProgress(dir, now);
        if (plan && progress) loaded.queued.push({ dir, plan, progress });
        continue;
      }
      const run = readRun(dir, { now });
      if (run.run) {
        const { stale, progress, problems } = run;
        loaded.runs.push({ dir, info: run.run, results: run.results ?? undefined, stale, progress, problems });
      } else {
        loaded.problems.push(`${name}: ${run.problems.join('; ')}`);
      }
    } catch (e) {
      loaded.problems.push(`${name}: ${(e as Error).message}`);
    }
  }
  return loaded;
}

export interface ModelRuns {
  /** Absolute model path. */
  model: string;
  runs: RunRecord[];
  queued: QueuedRun[];
}

/**
 * The models found in the workspace with their runs, plus models only runs name. A run whose model lies
 * outside `workspaceFolders` gets a problem line instead: the tree never opens a file a run.json points at
 * elsewhere. `sameFile` compares paths as the file system does (case-insensitive on Windows and macOS).
 */
export function groupRunsByModel(
  loaded: LoadedRuns,
  models: string[],
  workspaceFolders: readonly string[],
  sameFile: (a: string, b: string) => boolean,
): { models: ModelRuns[]; problems: string[] } {
  const groups: ModelRuns[] = models.map((model) => ({ model, runs: [], queued: [] }));
  const problems = [...loaded.problems];
  const groupOf = (model: string, dir: string, file = 'run.json'): ModelRuns | undefined => {
    let resolved: string;
    try {
      resolved = confineModelPath(model, dir, workspaceFolders, file);
    } catch (e) {
      problems.push(`${path.basename(dir)}: ${(e as Error).message}`);
      return undefined;
    }
    let group = groups.find((g) => sameFile(g.model, resolved));
    if (!group) groups.push(group = { model: resolved, runs: [], queued: [] });
    return group;
  };
  for (const run of loaded.runs) groupOf(run.info.model, run.dir)?.runs.push(run);
  for (const q of loaded.queued) groupOf(q.plan.model, q.dir, PLAN_FILE)?.queued.push(q);
  for (const g of groups) g.runs.sort((a, b) => (b.info.created ?? '').localeCompare(a.info.created ?? ''));
  return { models: groups, problems };
}
