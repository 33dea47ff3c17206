// One process's handle on a run folder. Work items are saved as atomic files (mask, then item record), so
// several processes (shards) can fill one folder; run.json and the results are rewritten only under the
// folder's run lock, from the item files on disk, by whichever process just finished an item.
//
//   locks/shard-K-of-N.lock   held by the process running shard K of N (N = 1 for an unsharded run)
//   locks/run.lock            held while run.json / results.* are read and rewritten
//   items/VARIANT/NAME/seed-S.json   one finished work item (its mask in masks/)
//   shards/shard-K-of-N.json  the shard's state and heartbeat (shardRecords.ts)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Shard } from '../../shared/jobs';
import { maskFile, RUN_FILE } from '../../shared/results';
import type { ResultsFile, RunFingerprint, RunInfo, WorkItem } from '../../shared/results';
import type { ResolvedSpec } from '../../shared/spec';
import type { Model } from '../onnx/ir';
import type { Masks } from '../masks/applyMask';
import { median } from '../train/Trainer';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { readMask } from './readRun';
import type { WorkItemRecord } from '../protocol/runWorkItem';
import { toJson, writeMask, writeResults, writeRunInfo } from './writeResults';
import { describeMismatch } from './runFingerprint';
import { readRunInfo } from './readRunInfo';
import { isOwnerAlive, readLockOwner, tryLock, unlock, withLock } from './runLock';
import { RunFolderError } from './RunFolderError';
import { PLAN_FILE } from './planRecord';
import { HEARTBEAT_MS, isStalled, readShardRecords, writeShardRecord, type ShardRecord } from './shardRecords';
import { shardItems } from './shardItems';

/** Files `plan` writes into a run folder before any shard starts; a new run may start beside them. */
export const PLAN_FILES = ['slurm.sbatch', 'k8s-job.json', 'logs', PLAN_FILE];
const LOCKS = 'locks';
export const runLockFile = (dir: string) => path.join(dir, LOCKS, 'run.lock');
export const shardLockFile = (dir: string, s: Shard) => path.join(dir, LOCKS, shardLockName(s));

export interface OpenOptions {
  dir: string;
  /** `new`: the folder must be empty (but for PLAN_FILES); `resume`: it must hold a run; `join`: either. */
  mode: 'new' | 'resume' | 'join';
  shard: Shard;
  spec: ResolvedSpec;
  fingerprint: RunFingerprint;
  plan: WorkItem[];
  /** Fields of a new run.json. */
  fresh: () => RunInfo;
  /** Results from the finished items (the plan's order is kept). */
  assemble: (items: WorkItemRecord[]) => ResultsFile;
  /** report.html from the results and run.json (drawn by the views layer, which sits above the store). */
  report: (results: ResultsFile, run: RunInfo) => string;
}

/** A saved item: the record plus the wall time the item took (training and evaluation). */
type SavedItem = WorkItemRecord & { elapsedMs: number };

export const itemKey = (w: WorkItem) => `${w.variant}/${w.subroutine}/${w.seed}`;
const itemFile = (dir: string, w: WorkItem) => path.join(dir, 'items', w.variant, w.subroutine, `seed-${w.seed}.json`);
const maskPath = (dir: string, w: WorkItem) => path.join(dir, maskFile(w.subroutine, w.seed, w.variant));

export const shardLockName = (s: Shard) => `shard-${s.index}-of-${s.count}.lock`;

export class RunStore {
  private readonly cache = new Map<string, SavedItem>();
  /** A process that exits without finishing (a second Ctrl-C) still leaves run.json truthful. */
  private readonly releaseOnExit = () => {
    try {
      this.assemble({ aborted: true });
    } catch {
      // best effort while exiting: run.json keeps what the last finished item wrote
    }
    this.release();
  };
  private released = false;
  private readonly record: ShardRecord;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(readonly dir: string, private readonly options: OpenOptions, private run: RunInfo) {
    process.on('exit', this.releaseOnExit);
    const now = new Date().toISOString();
    const total = shardItems(options.plan, options.shard).length;
    this.record = {
      ...options.shard, pid: process.pid, host: os.hostname(), started: now, heartbeat: now, state: 'running',
      done: 0, total,
    };
    this.writeRecord();
    this.heartbeat = setInterval(() => this.writeRecord(), HEARTBEAT_MS).unref();
  }

  static open(options: OpenOptions): RunStore {
    const { dir, mode, shard } = options;
    if (mode === 'new') assertNewRunFolder(dir);
    if (mode === 'resume') readRunInfo(dir);
    const lock = shardLockFile(dir, shard);
    const holder = tryLock(lock);
    if (holder) {
      const who = shard.count === 1 ? 'another find' : `shard ${shard.index}/${shard.count}`;
      const since = `pid ${holder.pid} on ${holder.host}, since ${holder.started}`;
      throw new RunFolderError(`${who} is running in this folder (${since})`, dir);
    }
    try {
      refuseConflictingShards(dir, shard);
      const run = withLock(runLockFile(dir), () => {
        const exists = fs.existsSync(path.join(dir, RUN_FILE));
        const run = exists ? readRunInfo(dir) : options.fresh();
        if (exists) {
          const mismatch = describeMismatch(run, options);
          if (mismatch) {
            throw new RunFolderError(`holds a different run: ${mismatch}. Start a new run with another --out`, dir);
          }
          run.fingerprint ??= options.fingerprint;
        }
        run.status = 'running';
        delete run.error;
        writeRunInfo(dir, run);
        return run;
      });
      return new RunStore(dir, options, run);
    } catch (e) {
      unlock(lock);
      removeIfEmpty(path.join(dir, LOCKS));
      throw e;
    }
  }

  /** Items of the plan saved by any process. */
  doneItems(): WorkItem[] {
    return this.options.plan.filter((w) => this.cache.has(itemKey(w)) || fs.existsSync(itemFile(this.dir, w)));
  }

  /** Saves the item's mask and then its record (the record's presence means the item is done). */
  saveItem(record: WorkItemRecord, model: Model, elapsedMs: number): void {
    let kept = 0, total = 0;
    const tensors = Object.fromEntries([...record.masks].map(([k, m]) => {
      for (let i = 0; i < m.length; i++) kept += m[i]!;
      total += m.length;
      return [k, { shape: model.graph.initializers.get(k)!.dims, data: m }];
    }));
    const { mask } = this.options.spec;
    const metadata = { method: mask.method, granularity: mask.granularity, keptFraction: String(kept / total) };
    writeMask(this.dir, record.subroutine, record.seed, tensors, metadata, record.variant);
    const { masks: _masks, ...rest } = record;
    writeFileAtomic(itemFile(this.dir, record), toJson({ ...rest, elapsedMs }));
  }

  /**
   * Rewrites results and run.json from every item on disk. `final`: this process has stopped working
   * (`aborted` by the user, or `error`); the status then says whether the run is complete, failed, still
   * being filled by other shards, or cancelled with items left.
   */
  assemble(final?: { aborted: boolean; error?: Error }): RunInfo {
    return withLock(runLockFile(this.dir), () => {
      const onDisk = readRunInfo(this.dir);
      const done = this.doneItems();
      const items = done.map((w) => this.loadItem(w));
      const run: RunInfo = { ...this.run, done, timings: timingsOf(items, Date.parse(this.run.created)) };
      const left = this.options.plan.length - done.length;
      if (left === 0) {
        run.status = 'complete';
        delete run.error;
      } else if (final?.error) {
        run.status = 'failed';
        run.error = { name: final.error.name ?? 'Error', message: final.error.message };
      } else if (onDisk.status === 'failed') {
        run.status = 'failed';
        run.error = onDisk.error;
      } else if (final?.aborted && !this.otherShardsRunning()) {
        run.status = 'cancelled';
      } else {
        // A shard whose own items are done leaves the rest to the other shards (running or still queued).
        run.status = 'running';
      }
      if (items.length || run.status === 'complete') {
        const results = this.options.assemble(items);
        writeResults(this.dir, results, this.options.report(results, run));
      }
      writeRunInfo(this.dir, run);
      this.run = run;
      if (final) this.record.state = final.error ? 'failed' : this.ownItemsLeft() === 0 ? 'done' : 'stopped';
      this.writeRecord();
      return run;
    });
  }

  private ownItemsLeft(): number {
    return shardItems(this.options.plan, this.options.shard)
      .filter((w) => !this.cache.has(itemKey(w)) && !fs.existsSync(itemFile(this.dir, w))).length;
  }

  /** Rewrites this shard's record with a fresh heartbeat (best effort: a full disk must not stop the run). */
  private writeRecord(): void {
    // A folder deleted while the shard runs is not brought back by its heartbeat.
    if (!fs.existsSync(this.dir)) return;
    try {
      this.record.done = this.record.total - this.ownItemsLeft();
      this.record.heartbeat = new Date().toISOString();
      writeShardRecord(this.dir, this.record);
    } catch {
      // the next heartbeat or item tries again
    }
  }

  /** Live shard locks of other processes. */
  private otherShardsRunning(): boolean {
    return liveShardLocks(this.dir).some((l) => l.name !== shardLockName(this.options.shard));
  }

  private loadItem(w: WorkItem): SavedItem {
    const key = itemKey(w);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const rest = JSON.parse(fs.readFileSync(itemFile(this.dir, w), 'utf8')) as Omit<SavedItem, 'masks'>;
    const masks: Masks = new Map(Object.entries(readMask(maskPath(this.dir, w)).masks));
    const item: SavedItem = { ...rest, elapsedMs: rest.elapsedMs ?? 0, masks };
    this.cache.set(key, item);
    return item;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.releaseOnExit);
    clearInterval(this.heartbeat);
    if (this.record.state === 'running') {
      this.record.state = this.ownItemsLeft() === 0 ? 'done' : 'stopped';
      this.writeRecord();
    }
    unlock(shardLockFile(this.dir, this.options.shard));
    removeIfEmpty(path.join(this.dir, LOCKS));
  }
}

function timingsOf(items: SavedItem[], created: number): RunInfo['timings'] {
  // No prototype: a subroutine named `constructor` must not find Object.prototype's.
  const perSubroutine: RunInfo['timings']['perSubroutine'] = Object.create(null);
  for (const i of items) {
    const per = (perSubroutine[i.subroutine] ??= { maskTrainingMs: 0, evaluationMs: 0, controlsMs: 0 });
    per.maskTrainingMs += i.training.ms;
    per.evaluationMs += Math.max(0, i.elapsedMs - i.training.ms);
  }
  const steps = items.flatMap((i) => i.stepMs);
  return {
    totalMs: Number.isFinite(created) ? Date.now() - created : 0,
    maskStepMs: steps.length ? median(steps) : null,
    maskSteps: items.reduce((s, i) => s + i.training.steps, 0),
    perSubroutine,
  };
}

export interface ShardLock {
  name: string;
  shard: Shard;
  pid: number;
  host: string;
}

/** Shard locks in the folder, with whether their owner lives. */
export function shardLocks(dir: string, now = Date.now()): (ShardLock & { alive: boolean })[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(dir, LOCKS));
  } catch {
    return [];
  }
  const records = readShardRecords(dir);
  return names.flatMap((name) => {
    const m = /^shard-(\d+)-of-(\d+)\.lock$/.exec(name);
    const owner = m ? readLockOwner(path.join(dir, LOCKS, name)) : null;
    if (!m || !owner) return [];
    const shard = { index: Number(m[1]), count: Number(m[2]) };
    // Another host's pid cannot be checked: its shard record's heartbeat says whether it still runs.
    const record = records.find((r) => r.index === shard.index && r.count === shard.count
      && r.pid === owner.pid && r.host === owner.host);
    const alive = isOwnerAlive(owner) && !(record && isStalled(record, now));
    return [{ name, shard, pid: owner.pid, host: owner.host, alive }];
  });
}

/** Shard locks in the folder whose owner is alive. */
export function liveShardLocks(dir: string): ShardLock[] {
  return shardLocks(dir).filter((l) => l.alive).map(({ alive: _alive, ...l }) => l);
}

/** Shards of one run split the same plan the same way: a different count (or an unsharded run) cannot join. */
function refuseConflictingShards(dir: string, shard: Shard): void {
  const conflicts = (l: { name: string; shard: Shard }) =>
    l.name !== shardLockName(shard) && (l.shard.count !== shard.count || shard.count === 1);
  const other = liveShardLocks(dir).find(conflicts);
  if (!other) return;
  const what = other.shard.count === 1 ? 'an unsharded find' : `shard ${other.shard.index}/${other.shard.count}`;
  const advice = shard.count === 1 ? 'wait for it' : `shards of ${shard.count} cannot join it`;
  throw new RunFolderError(`${what} (pid ${other.pid}) is running in this folder; ${advice}`, dir);
}

/** Throws unless `dir` is missing or holds only what `plan` writes. */
export function assertNewRunFolder(dir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return;
  }
  const other = entries.filter((e) => !PLAN_FILES.includes(e));
  if (other.length === 0) return;
  const shown = other.slice(0, 4).join(', ') + (other.length > 4 ? ', …' : '');
  const hint = other.includes(RUN_FILE) ? 'continue it with --resume DIR or choose another --out'
    : 'choose another --out';
  throw new RunFolderError(`--out folder is not empty (${shown}); ${hint}`, dir);
}

function removeIfEmpty(folder: string): void {
  try {
    fs.rmdirSync(folder);
  } catch {
    // not empty (another process's lock) or already gone
  }
}
