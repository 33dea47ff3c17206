// Each shard process keeps a small record in the run folder and rewrites it every HEARTBEAT_MS while it
// runs, so a reader on any host tells a queued shard (no record yet) from a running one (fresh heartbeat),
// a finished one, and a stalled one (still `running`, but the heartbeat stopped: the process died).
//
//   shards/shard-K-of-N.json
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Shard } from '../../shared/jobs';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { isOwnerAlive } from './runLock';

export const HEARTBEAT_MS = 15_000;
/** A running shard whose heartbeat is older than this is stalled (several missed heartbeats). */
export const STALL_MS = 120_000;

export interface ShardRecord extends Shard {
  pid: number;
  host: string;
  /** ISO 8601 times: when the process took the shard, and its last sign of life. */
  started: string;
  heartbeat: string;
  /** `done`: all its items are saved; `stopped`: cancelled with items left; `failed`: ended by an error. */
  state: 'running' | 'done' | 'stopped' | 'failed';
  /** This shard's own work items: saved, and planned. */
  done: number;
  total: number;
}

const SHARDS = 'shards';
const RECORD_NAME = /^shard-(\d+)-of-(\d+)\.json$/;

export const shardRecordFile = (dir: string, s: Shard) => path.join(dir, SHARDS, `shard-${s.index}-of-${s.count}.json`);

export function writeShardRecord(dir: string, record: ShardRecord): void {
  writeFileAtomic(shardRecordFile(dir, record), `${JSON.stringify(record)}\n`);
}

/** Every readable shard record of the folder (a half-written or foreign file is skipped). */
export function readShardRecords(dir: string): ShardRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(dir, SHARDS));
  } catch {
    return [];
  }
  return names.filter((n) => RECORD_NAME.test(n)).flatMap((name) => {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, SHARDS, name), 'utf8')) as ShardRecord;
      const ok = Number.isInteger(r.index) && Number.isInteger(r.count) && Number.isInteger(r.pid)
        && typeof r.host === 'string' && Number.isFinite(Date.parse(r.heartbeat));
      return ok ? [r] : [];
    } catch {
      return [];
    }
  });
}

/** Says `running` but its process is gone: a dead pid on this host, or (any host) no heartbeat for STALL_MS. */
export function isStalled(r: ShardRecord, now = Date.now()): boolean {
  if (r.state !== 'running') return false;
  return now - Date.parse(r.heartbeat) > STALL_MS || !isOwnerAlive({ pid: r.pid, host: r.host, started: r.started });
}
