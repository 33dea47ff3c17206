// A run's progress by shard, read from the plan record and the shard records: which shards are still
// queued, running, stalled or finished, and how many of their own items each has saved.
import { readPlanRecord } from './planRecord';
import { isStalled, readShardRecords, type ShardRecord } from './shardRecords';

export interface ShardProgress {
  index: number;
  count: number;
  state: 'queued' | 'stalled' | ShardRecord['state'];
  done: number;
  /** Unknown (null) for a shard that has not started. */
  total: number | null;
}

export interface RunProgress {
  /** Shards of the run (the newest shard records' count, else the plan's). */
  shards: number;
  started: number;
  running: number;
  stalled: number;
  perShard: ShardProgress[];
}

/** null for a folder that neither a plan nor any shard has written to. */
export function readRunProgress(dir: string, now = Date.now()): RunProgress | null {
  const plan = readPlanRecord(dir);
  const records = readShardRecords(dir);
  const newest = records.reduce<ShardRecord | undefined>((a, r) => (!a || r.started > a.started ? r : a), undefined);
  const shards = newest?.count ?? plan?.shards;
  if (shards === undefined) return null;
  const byIndex = new Map(records.filter((r) => r.count === shards).map((r) => [r.index, r]));
  const perShard = Array.from({ length: shards }, (_, index): ShardProgress => {
    const r = byIndex.get(index);
    if (!r) return { index, count: shards, state: 'queued', done: 0, total: null };
    return { index, count: shards, state: isStalled(r, now) ? 'stalled' : r.state, done: r.done, total: r.total };
  });
  const count = (s: ShardProgress['state']) => perShard.filter((p) => p.state === s).length;
  return { shards, started: shards - count('queued'), running: count('running'), stalled: count('stalled'), perShard };
}

/** A short phrase for a running run, e.g. `queued (0 of 4 shards started)`; undefined when there is nothing to say. */
export function runProgressText(p: RunProgress): string | undefined {
  if (p.started === 0) return `queued (0 of ${p.shards} shard${p.shards === 1 ? '' : 's'} started)`;
  const parts: string[] = [];
  if (p.shards > 1 && p.started < p.shards) parts.push(`${p.started} of ${p.shards} shards started`);
  else if (p.shards > 1) parts.push(`${p.running} of ${p.shards} shards running`);
  if (p.stalled) parts.push(`${p.stalled === 1 && p.shards === 1 ? 'stalled' : `${p.stalled} stalled`} (no heartbeat)`);
  return parts.length ? parts.join(', ') : undefined;
}

/** One line per shard, e.g. `shard 1/4: running, 2 of 3 items`. */
export function shardLines(p: RunProgress): string[] {
  return p.perShard.map((s) => `shard ${s.index}/${s.count}: ${s.state}`
    + (s.total === null ? '' : `, ${s.done} of ${s.total} item${s.total === 1 ? '' : 's'}`));
}
