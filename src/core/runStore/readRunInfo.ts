// Reads run.json strictly, before anything in the folder is rewritten: a run that is to be continued or
// joined must have every field the engine relies on, else the folder is refused and left as it is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILE, type RunInfo } from '../../shared/results';
import { RunFolderError } from './RunFolderError';

const STATUSES = ['running', 'complete', 'cancelled', 'failed'];
const VARIANTS = ['trained', 'random-init'];

/** The first problem of a parsed run.json as `field: what is wrong`, or null when it has what a resume needs. */
export function runInfoProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'must be a JSON object';
  const r = v as Record<string, unknown>;
  const isObject = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  const isInt = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  const checks: [string, boolean, string][] = [
    ['schemaVersion', typeof r.schemaVersion === 'number', 'a number'],
    ['id', typeof r.id === 'string', 'a string'],
    ['spec', isObject(r.spec) && isObject((r.spec as Record<string, unknown>).subroutines), 'the resolved spec'],
    ['specPath', typeof r.specPath === 'string', 'a string'],
    ['model', typeof r.model === 'string', 'a string'],
    ['seeds', Array.isArray(r.seeds) && r.seeds.every(isInt), 'a list of non-negative integers'],
    ['status', STATUSES.includes(r.status as string), `one of ${STATUSES.join(', ')}`],
    ['created', typeof r.created === 'string' && Number.isFinite(Date.parse(r.created)), 'an ISO 8601 time'],
    ['timings', isObject(r.timings), 'an object'],
    ['total', isInt(r.total), 'a non-negative integer'],
    ['done', Array.isArray(r.done), 'a list of work items'],
  ];
  for (const [field, ok, what] of checks) {
    if (!ok) return `field '${field}' ${r[field] === undefined ? 'is missing' : 'is invalid'} (expected ${what})`;
  }
  const bad = (r.done as unknown[]).findIndex((w) => {
    const i = w as Record<string, unknown>;
    return !isObject(w) || typeof i.subroutine !== 'string' || !isInt(i.seed)
      || !VARIANTS.includes(i.variant as string);
  });
  if (bad >= 0) return `field 'done[${bad}]' is invalid (expected {subroutine, seed, variant})`;
  return null;
}

/** run.json of `dir`, validated; throws RunFolderError naming the file and the field. */
export function readRunInfo(dir: string): RunInfo {
  const file = path.join(dir, RUN_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new RunFolderError(`no ${RUN_FILE} here: not a run folder (nothing to resume)`, dir);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = (e as Error).message;
    throw new RunFolderError(`${RUN_FILE} is not valid JSON (${why}); the folder was left as it is`, dir);
  }
  const problem = runInfoProblem(value);
  if (problem) throw new RunFolderError(`${RUN_FILE}: ${problem}; the folder was left as it is`, dir);
  return value as RunInfo;
}

/**
 * run.json of `dir` as it is now, unvalidated, or undefined while it is missing or unreadable: for a process
 * that watches a run other processes write (progress, the outcome after they end).
 */
export function peekRunInfo(dir: string): RunInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, RUN_FILE), 'utf8')) as RunInfo;
  } catch {
    return undefined;
  }
}
