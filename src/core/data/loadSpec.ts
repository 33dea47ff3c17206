// Reads a task spec (`*.subnet.json`), validates it against schemas/subnet.schema.json, applies the
// defaults (those of Lepori, Serre & Pavlick 2023 where the paper has one) and resolves every path
// relative to the spec, refusing paths that leave the workspace (after resolving symlinks).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../../schemas/subnet.schema.json';
import type { ResolvedSpec } from '../../shared/spec';
import { SpecError } from './errors';

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(): ReturnType<Ajv['compile']> {
  if (!validator) validator = new Ajv({ useDefaults: true, allErrors: true, strict: false }).compile(schema);
  return validator;
}

/** The first schema error as a SpecError naming the field. */
function toSpecError(errors: ErrorObject[], file: string): SpecError {
  const order = (e: ErrorObject) => (['additionalProperties', 'propertyNames'].includes(e.keyword) ? 0
    : ['oneOf', 'not', 'if'].includes(e.keyword) ? 2 : 1);
  // Errors inside a oneOf branch are noise; report the oneOf itself.
  const head = errors.find((e) => e.instancePath.startsWith('/head'));
  if (head) return new SpecError(
    'must be {"type": "classify"} or {"type": "odd-one-out", "group": k} with an integer k ≥ 3', file, '/head');
  const e = [...errors].sort((a, b) => order(a) - order(b))[0]!;
  const at = e.instancePath || '';
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const sub = at.split('/').filter(Boolean).reduce<Record<string, unknown> | undefined>((s, k) => {
        const props = s?.properties as Record<string, Record<string, unknown>> | undefined;
        return props?.[k] ?? (s?.additionalProperties as Record<string, unknown> | undefined);
      }, schema as unknown as Record<string, unknown>);
      const allowed = Object.keys((sub?.properties as object | undefined) ?? {});
      return new SpecError(`unknown field '${extra}'${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
        file, `${at}/${extra}`);
    }
    case 'required':
      return new SpecError('is required', file, `${at}/${(e.params as { missingProperty: string }).missingProperty}`);
    case 'minProperties':
      return new SpecError(at === '/subroutines'
        ? 'needs at least two subroutines (one subnetwork is compared with the others)'
        : (e.message ?? 'too few entries'), file, at);
    case 'propertyNames': {
      const name = (e.params as { propertyName: string }).propertyName;
      return new SpecError(`invalid name '${name}' (letters, digits, _ . -; 'task' and 'random-init' are reserved)`,
        file, at);
    }
    case 'enum': {
      const values = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      return new SpecError(`must be one of ${values.join(', ')}`, file, at);
    }
    default:
      return new SpecError(e.message ?? 'is invalid', file, at);
  }
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Loads and resolves a spec. `workspaceRoot` (default: the spec's folder) bounds every path.
 * `checkFiles` (default true) requires the model and data files to exist.
 * Throws SpecError(message, file, field) for every problem.
 */
export function loadSpec(specPath: string,
  options: { workspaceRoot?: string; checkFiles?: boolean } = {}): ResolvedSpec {
  const file = path.resolve(specPath);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SpecError('spec file not found', file, '');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`not valid JSON: ${(e as Error).message}`, file, '');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SpecError('must be a JSON object', file, '');
  const v = validate();
  if (!v(raw)) throw toSpecError(v.errors ?? [], file);
  const spec = raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  const rootGiven = path.resolve(options.workspaceRoot ?? path.dirname(file));
  let root: string;
  try {
    root = fs.realpathSync(rootGiven);
  } catch {
    throw new SpecError(`workspace root ${rootGiven} does not exist`, file, '');
  }
  if (!isInside(root, fs.realpathSync(file))) throw new SpecError(`spec is outside the workspace ${root}`, file, '');
  const checkFiles = options.checkFiles ?? true;
  const resolvePath = (p: string, field: string): string => {
    const abs = path.resolve(path.dirname(file), p);
    if (!isInside(rootGiven, abs) && !isInside(root, abs))
      throw new SpecError(`path '${p}' leaves the workspace ${root}`, file, field);
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch {
      if (checkFiles) throw new SpecError(`file not found: '${p}' (resolved to ${abs})`, file, field);
      return abs;
    }
    if (!isInside(root, real))
      throw new SpecError(`path '${p}' leaves the workspace ${root} (through a symbolic link to ${real})`, file, field);
    return real;
  };

  const head = spec.head as ResolvedSpec['head'];
  const [t0, t1] = spec.mask.temperature as [number, number];
  if (t1 < t0) throw new SpecError(`end ${t1} is below start ${t0}; β is annealed upwards`, file, '/mask/temperature');
  if (spec.mask.axis !== undefined && spec.mask.granularity !== 'unit')
    throw new SpecError("only applies with granularity 'unit'", file, '/mask/axis');
  const names = Object.keys(spec.subroutines);
  if (spec.hyperparameterSearch) {
    const missing = names.find((n) => !spec.subroutines[n].validation);
    if (missing) {
      throw new SpecError(
        'hyper-parameter search selects on validation data: every subroutine needs a `validation` file',
        file, `/subroutines/${missing}/validation`);
    }
  }

  const subroutines: ResolvedSpec['subroutines'] = {};
  for (const n of names) {
    const s = spec.subroutines[n];
    subroutines[n] = {
      train: resolvePath(s.train, `/subroutines/${n}/train`),
      test: resolvePath(s.test, `/subroutines/${n}/test`),
      ...(s.validation ? { validation: resolvePath(s.validation, `/subroutines/${n}/validation`) } : {}),
    };
  }
  const resolved: ResolvedSpec = {
    specPath: file,
    workspaceRoot: root,
    model: resolvePath(spec.model, '/model'),
    inputs: { ...spec.inputs },
    ...(spec.output ? { output: spec.output } : {}),
    head,
    labels: spec.labels,
    subroutines,
    ...(spec.task ? {
      task: {
        test: resolvePath(spec.task.test, '/task/test'),
        ...(spec.task.train ? { train: resolvePath(spec.task.train, '/task/train') } : {}),
      },
    } : {}),
    mask: { ...spec.mask, temperature: [t0, t1] },
    controls: { ...spec.controls },
    seeds: [...spec.seeds],
    verdict: { ...spec.verdict },
    ...(spec.hyperparameterSearch ? { hyperparameterSearch: { ...spec.hyperparameterSearch } } : {}),
  };
  return resolved;
}

/** A glob over initializer names: `*` any run of characters, `?` one; the whole name must match. */
export function globToRegExp(pattern: string): RegExp {
  const esc = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

/** The initializer names selected by include (empty = all candidates) minus exclude, in input order. */
export function selectInitializers(candidates: string[], include: string[], exclude: string[]): string[] {
  const inc = include.map(globToRegExp);
  const exc = exclude.map(globToRegExp);
  return candidates.filter((n) => (inc.length === 0 || inc.some((r) => r.test(n))) && !exc.some((r) => r.test(n)));
}
