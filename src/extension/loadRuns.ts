// Every run folder under a results folder, read with the engine's reader (src/core/runStore/readRun.ts).
// A folder that cannot be read becomes a problem line in the tree instead of hiding the others.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResultsFile, RunInfo } from '../shared/results';
import { readRun } from '../core/runStore/readRun';

export interface RunRecord {
  /** Absolute run folder. */
  dir: string;
  info: RunInfo;
  /** Absent until the first work item finished. */
  results?: ResultsFile;
  /** Says `running` but has not been updated for minutes: probably crashed. */
  stale: boolean;
  problems: string[];
}

export interface LoadedRuns {
  runs: RunRecord[];
  problems: string[];
}

export async function loadRuns(runsDir: string): Promise<LoadedRuns> {
  let names: string[];
  try {
    names = fs.readdirSync(runsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return { runs: [], problems: [] };
  }
  const runs: RunRecord[] = [];
  const problems: string[] = [];
  for (const name of names.sort()) {
    const dir = path.join(runsDir, name);
    // A run that has not written run.json yet is not a problem: it appears once it has.
    if (!fs.existsSync(path.join(dir, 'run.json'))) continue;
    try {
      const run = readRun(dir);
      if (run.run) runs.push({ dir, info: run.run, results: run.results ?? undefined, stale: run.stale, problems: run.problems });
      else problems.push(`${name}: ${run.problems.join('; ')}`);
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
    }
  }
  return { runs, problems };
}
