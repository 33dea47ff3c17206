// What `plan --slurm/--k8s` records in the run folder before any shard starts: how many shards were
// planned, so that a run whose shards wait in a scheduler's queue shows as queued, not as missing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/writeFileAtomic';

export const PLAN_FILE = 'plan.json';

export interface PlanRecord {
  scheduler: 'slurm' | 'k8s';
  shards: number;
  /** Work items of the whole run. */
  items: number;
  specPath: string;
  model: string;
  seeds: number[];
  subroutines: string[];
  /** ISO 8601. */
  created: string;
}

export function writePlanRecord(dir: string, plan: PlanRecord): void {
  writeFileAtomic(path.join(dir, PLAN_FILE), `${JSON.stringify(plan, null, 2)}\n`);
}

/** The folder's plan record, or null when there is none or it is not one (a reader shows what it can). */
export function readPlanRecord(dir: string): PlanRecord | null {
  try {
    const p = JSON.parse(fs.readFileSync(path.join(dir, PLAN_FILE), 'utf8')) as PlanRecord;
    const ok = Number.isInteger(p.shards) && p.shards > 0 && Number.isInteger(p.items)
      && typeof p.model === 'string' && typeof p.specPath === 'string' && Array.isArray(p.subroutines);
    return ok ? p : null;
  } catch {
    return null;
  }
}
