// What a run was computed from: sha256 of the resolved spec, the model, its external-data files and every
// dataset. A resumed run or a joining shard must match it, so no run mixes settings or data.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Model } from '../onnx/ir';
import type { ResolvedSpec } from '../../shared/spec';
import type { RunFingerprint } from '../../shared/results';

/** sha256 of a file, read in chunks (datasets may be large). */
export function sha256File(file: string): string {
  const hash = crypto.createHash('sha256');
  const buf = Buffer.alloc(1 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** JSON with object keys sorted, so equal specs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function datasetFiles(spec: ResolvedSpec): string[] {
  const files = Object.values(spec.subroutines).flatMap((s) => [s.train, s.test, s.validation]);
  files.push(spec.task?.test, spec.task?.train);
  return [...new Set(files.filter((f): f is string => typeof f === 'string'))];
}

export function runFingerprint(spec: ResolvedSpec, model: Model): RunFingerprint {
  const modelDir = path.dirname(spec.model);
  const external = new Set<string>();
  for (const t of model.graph.initializers.values()) {
    if (t.external) external.add(path.resolve(modelDir, t.external.location));
  }
  const hashes = (files: Iterable<string>) => Object.fromEntries([...files].map((f) => [f, sha256File(f)]));
  return {
    spec: crypto.createHash('sha256').update(canonicalJson(spec)).digest('hex'),
    model: hashes([spec.model]),
    externalData: hashes(external),
    datasets: hashes(datasetFiles(spec)),
  };
}

/** Leaf values that differ between two JSON values, as `a.b[2] old → new`. */
function specChanges(before: unknown, after: unknown, at = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const sub = (k: string) => (Array.isArray(before) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
    return keys.flatMap((k) => specChanges(before[k], after[k], sub(k)));
  }
  if (canonicalJson(before) === canonicalJson(after)) return [];
  const show = (v: unknown) => (v === undefined ? '(none)' : canonicalJson(v));
  return [`${at || '(spec)'} ${show(before)} → ${show(after)}`];
}

/** Why a run recorded with `recorded` (fingerprint and spec) cannot continue with `current`; null when it can. */
export function describeMismatch(
  recorded: { spec: ResolvedSpec; fingerprint?: RunFingerprint },
  current: { spec: ResolvedSpec; fingerprint: RunFingerprint },
): string | null {
  const problems: string[] = [];
  const changes = specChanges(recorded.spec, current.spec);
  const more = changes.length > 6 ? `, … (${changes.length} fields)` : '';
  if (changes.length) problems.push(`spec changed: ${changes.slice(0, 6).join(', ')}${more}`);
  else if (recorded.fingerprint && recorded.fingerprint.spec !== current.fingerprint.spec) {
    problems.push('spec changed');
  }
  const was = recorded.fingerprint;
  if (was) {
    for (const kind of ['model', 'externalData', 'datasets'] as const) {
      const label = { model: 'model', externalData: 'external data', datasets: 'dataset' }[kind];
      const files = new Set([...Object.keys(was[kind]), ...Object.keys(current.fingerprint[kind])]);
      for (const f of files) {
        const a = was[kind][f], b = current.fingerprint[kind][f];
        if (a === b) continue;
        const how = !a ? 'is new' : !b ? 'is no longer used'
          : `contents changed (sha256 ${a.slice(0, 12)}… → ${b.slice(0, 12)}…)`;
        problems.push(`${label} ${f} ${how}`);
      }
    }
  }
  return problems.length ? problems.join('; ') : null;
}
