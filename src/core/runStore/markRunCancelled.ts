// After the compute process had to be killed, the engine could not mark its run: do it here so the
// run folder says `cancelled` (resumable) instead of `running` forever, and drop half-written temp files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRun } from './readRun';
import { writeRunInfo } from './writeResults';
import type { RunInfo } from '../../shared/results';

/** Temp files of writeFileAtomic: `.<name>.<pid>.<time>.tmp`. */
const TEMP_FILE = /^\..+\.\d+\.\d+\.tmp$/;

function removeTempFiles(dir: string): number {
  let removed = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) removed += removeTempFiles(p);
    else if (TEMP_FILE.test(e.name)) {
      fs.rmSync(p, { force: true });
      removed++;
    }
  }
  return removed;
}

export interface MarkResult {
  /** run.json existed, said `running`, and now says `cancelled`. */
  marked: boolean;
  tempFilesRemoved: number;
  /** Status found in run.json (undefined when there is no readable run.json). */
  status?: string;
}

export function markRunCancelled(runDir: string, reason = 'the compute process was stopped after Cancel'): MarkResult {
  const tempFilesRemoved = removeTempFiles(runDir);
  const info = readRun(runDir).run;
  if (!info) return { marked: false, tempFilesRemoved };
  if (info.status !== 'running') return { marked: false, tempFilesRemoved, status: info.status };
  const now = new Date();
  const created = Date.parse(info.created);
  const updated: RunInfo = {
    ...info,
    status: 'cancelled',
    error: { name: 'AbortError', message: reason },
    timings: info.timings && Number.isFinite(created) ? { ...info.timings, totalMs: Math.max(info.timings.totalMs ?? 0, now.getTime() - created) } : info.timings,
  };
  writeRunInfo(runDir, updated);
  return { marked: true, tempFilesRemoved, status: 'cancelled' };
}
