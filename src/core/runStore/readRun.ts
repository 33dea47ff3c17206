// Reads a run folder as it is, including a running, cancelled or crashed run: missing or corrupt
// files are reported in `problems` instead of thrown, so views can show whatever is there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  RESULTS_FILE, RUN_FILE, RUNS_DIR, type BaseVariant, type ResultsFile, type RunInfo, type RunStatus,
} from '../../shared/results';
import { openDataset } from '../data/openDataset';
import { DataError } from '../data/errors';
import type { MaskSet } from '../protocol/overlap';
import { readRunProgress, type RunProgress } from './runProgress';

export interface MaskFileRef {
  subroutine: string;
  seed: number;
  variant: BaseVariant;
  /** Run-folder-relative path. */
  file: string;
}

export interface RunFolder {
  dir: string;
  id: string;
  run: RunInfo | null;
  results: ResultsFile | null;
  /** run.json's status; `unknown` without a readable run.json. */
  status: RunStatus | 'unknown';
  /**
   * Status `running` but a started shard's heartbeat stopped (runs made before shard records: run.json not
   * updated for longer than `staleMs`). Shards still waiting in a queue never make a run stale.
   */
  stale: boolean;
  /** Shards queued, running, stalled, done (null for runs made before shard records). */
  progress: RunProgress | null;
  masks: MaskFileRef[];
  problems: string[];
}

function readJson<T>(file: string, problems: string[]): T | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    problems.push(`${path.basename(file)} is missing`);
    return null;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    problems.push(`${path.basename(file)} is not valid JSON: ${(e as Error).message}`);
    return null;
  }
}

function listMasks(dir: string): MaskFileRef[] {
  const out: MaskFileRef[] = [];
  const scan = (folder: string, variant: BaseVariant) => {
    let subs: fs.Dirent[];
    try {
      subs = fs.readdirSync(path.join(dir, folder), { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of subs) {
      if (!d.isDirectory() || (variant === 'trained' && d.name === 'random-init')) continue;
      for (const f of fs.readdirSync(path.join(dir, folder, d.name))) {
        const m = /^seed-(\d+)\.safetensors$/.exec(f);
        if (m) out.push({ subroutine: d.name, seed: Number(m[1]), variant, file: `${folder}/${d.name}/${f}` });
      }
    }
  };
  scan('masks', 'trained');
  scan('masks/random-init', 'random-init');
  return out.sort((a, b) => a.variant.localeCompare(b.variant)
    || a.subroutine.localeCompare(b.subroutine)
    || a.seed - b.seed);
}

export function readRun(dir: string, options: { staleMs?: number; now?: number } = {}): RunFolder {
  const problems: string[] = [];
  const run = readJson<RunInfo>(path.join(dir, RUN_FILE), problems);
  const resultsPath = path.join(dir, RESULTS_FILE);
  const results = fs.existsSync(resultsPath) ? readJson<ResultsFile>(resultsPath, problems) : null;
  if (!results && run?.status === 'complete') problems.push('run is complete but results.json is missing');
  const status = run?.status ?? 'unknown';
  const now = options.now ?? Date.now();
  const progress = readRunProgress(dir, now);
  const updated = run ? Date.parse(run.updated) : NaN;
  const stale = status === 'running' && (progress ? progress.stalled > 0
    : Number.isFinite(updated) && now - updated > (options.staleMs ?? 120_000));
  const masks = listMasks(dir);
  for (const s of Object.values(results?.subroutines ?? {})) {
    for (const seed of s.seeds) {
      if (!fs.existsSync(path.join(dir, seed.mask))) {
        problems.push(`mask ${seed.mask} named in results.json is missing`);
      }
    }
  }
  return { dir, id: run?.id ?? path.basename(dir), run, results, status, stale, progress, masks, problems };
}

/**
 * Every run folder under `<workspaceRoot>/.subnetwork-lens/runs/`, newest first (by run.json `created`,
 * else folder name).
 */
export function listRuns(workspaceRoot: string): RunFolder[] {
  const root = path.join(workspaceRoot, RUNS_DIR);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const runs = entries.filter((e) => e.isDirectory()).map((e) => readRun(path.join(root, e.name)));
  const key = (r: RunFolder) => r.run?.created ?? r.id;
  return runs.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}

/** Reads a mask file into flat 0/1 arrays keyed by initializer name (for overlap and ablation). */
export function readMask(
  file: string,
): { masks: MaskSet; shapes: Record<string, number[]>; metadata: Record<string, string> } {
  const ds = openDataset(file);
  try {
    // Keyed by tensor names, which may be `__proto__` or `constructor`: no prototype to collide with.
    const masks: MaskSet = Object.create(null);
    const shapes: Record<string, number[]> = Object.create(null);
    for (const [name, info] of Object.entries(ds.arrays)) {
      const a = ds.read(name);
      if (info.dtype !== 'uint8' && info.dtype !== 'bool') {
        throw new DataError(`mask has dtype ${info.dtype}, expected uint8`, file, name);
      }
      const bad = (a.data as Uint8Array).findIndex((v) => v > 1);
      if (bad >= 0) throw new DataError(`mask value ${a.data[bad]} at element ${bad} is not 0 or 1`, file, name);
      masks[name] = a.data as Uint8Array;
      shapes[name] = info.shape;
    }
    return { masks, shapes, metadata: ds.metadata };
  } finally {
    ds.close();
  }
}
