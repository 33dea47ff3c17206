// After a compute process had to be killed, the engine could not mark its run: do it here so the run
// folder says `cancelled` (resumable) instead of `running` forever, and drop the temp files the dead
// process left. Shards of the same run may still be working in the folder (other processes, other
// hosts): their temp files are theirs, and while any of them lives the run stays `running`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isOwnerAlive, withLock } from './runLock';
import { readRun } from './readRun';
import { runLockFile, shardLocks } from './RunStore';
import { readShardRecords, writeShardRecord } from './shardRecords';
import { writeRunInfo } from './writeResults';

/** Temp files of writeFileAtomic: `.<name>.<pid>.<time>.tmp`. */
const TEMP_FILE = /^\..+\.(\d+)\.\d+\.tmp$/;

/** Removes temp files whose writer may be gone: `keep(pid)` says which writers still live. */
function removeTempFiles(dir: string, keep: (pid: number) => boolean): number {
  let removed = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    const m = TEMP_FILE.exec(e.name);
    if (e.isDirectory()) removed += removeTempFiles(p, keep);
    else if (m && !keep(Number(m[1]))) {
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
  /** Shards of the run that still work in the folder (the run then stays `running`). */
  liveShards?: number;
}

/**
 * Marks the run cancelled unless another shard still works in it, removing the locks, records and temp
 * files of dead processes only. Holds the run lock meanwhile (a dead holder's lock is taken over).
 */
export function markRunCancelled(runDir: string, reason = 'the compute process was stopped after Cancel'): MarkResult {
  if (!fs.existsSync(runDir)) return { marked: false, tempFilesRemoved: 0 };
  const result = withLock(runLockFile(runDir), () => {
    const locks = shardLocks(runDir);
    const live = locks.filter((l) => l.alive);
    for (const l of locks) if (!l.alive) fs.rmSync(path.join(runDir, 'locks', l.name), { force: true });
    for (const r of readShardRecords(runDir)) {
      const gone = r.state === 'running' && !live.some((l) => l.pid === r.pid && l.host === r.host);
      if (gone) writeShardRecord(runDir, { ...r, state: 'stopped' });
    }
    // A writer holds a lock while it writes; a live local process with that pid is spared too.
    const here = os.hostname();
    const livePids = new Set(live.map((l) => l.pid));
    const keep = (pid: number) => livePids.has(pid) || isOwnerAlive({ pid, host: here, started: '' });
    const tempFilesRemoved = removeTempFiles(runDir, keep);
    const liveShards = live.length;
    const info = readRun(runDir).run;
    if (!info) return { marked: false, tempFilesRemoved, liveShards };
    if (info.status !== 'running' || liveShards > 0) {
      return { marked: false, tempFilesRemoved, status: info.status, liveShards };
    }
    const created = Date.parse(info.created);
    const totalMs = Math.max(info.timings?.totalMs ?? 0, Date.now() - created);
    writeRunInfo(runDir, {
      ...info, status: 'cancelled', error: { name: 'AbortError', message: reason },
      timings: info.timings && Number.isFinite(created) ? { ...info.timings, totalMs } : info.timings,
    });
    return { marked: true, tempFilesRemoved, status: 'cancelled', liveShards };
  }, 5_000);
  try {
    fs.rmdirSync(path.dirname(runLockFile(runDir)));
  } catch {
    // another process's lock is in it
  }
  return result;
}
