// The structural-compositionality protocol over a task spec (DESIGN.md §1): per base model (trained, and
// the random-init control), subroutine and seed, one work item (runWorkItem); each finished item is saved
// at once (mask + item record), so a cancelled or crashed run resumes where it stopped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FindOptions, FindResult, JobHooks } from '../../shared/jobs';
import type { AccuracyByTestSet, BaseVariant, RunInfo, WorkItem } from '../../shared/results';
import { RESULTS_SCHEMA_VERSION, RUN_FILE, RUNS_DIR } from '../../shared/results';
import type { ResolvedSpec } from '../../shared/spec';
import { loadSpec, selectInitializers } from '../data/loadSpec';
import { datasetAsTrainingData, type OpenedData } from '../data/datasetAsTrainingData';
import { outputClasses, resolveOutput } from '../data/resolveOutput';
import type { Model } from '../onnx/ir';
import { readModel } from '../onnx/readModel';
import { isMaskable } from '../onnx/layerGraph';
import { Evaluator } from '../train/Evaluator';
import { median } from '../train/Trainer';
import { TrainerError } from '../train/errors';
import type { Masks, Weights } from '../masks/applyMask';
import { Rng } from '../util/random';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { readMask } from './readRun';
import { runWorkItem, type WorkItemRecord } from './runWorkItem';
import { assembleResults } from './assembleResults';
import { chanceLevel } from './scores';
import { toJson, writeMask, writeResults, writeRunInfo } from './writeResults';
import { defaultUnitAxes } from '../masks/unitAxes';
import { TASK_TEST_SET } from '../../shared/results';
import { ort } from '../runtime/session';

const VERSION = '0.1.0';

export async function runFind(options: FindOptions, hooks: JobHooks): Promise<FindResult> {
  const spec = loadSpec(options.specPath, { workspaceRoot: options.workspaceRoot });
  if (options.seeds) spec.seeds = options.seeds;
  const model = readModel(spec.model);
  const output = resolveOutput(model, spec);
  const maskable = [...model.graph.initializers.values()].filter((t) => isMaskable(t)).map((t) => t.name);
  const masked = selectInitializers(maskable, spec.mask.include, spec.mask.exclude);
  if (masked.length === 0) throw new TrainerError(`no initializer matches mask.include/exclude (maskable: ${maskable.slice(0, 10).join(', ')}${maskable.length > 10 ? ', …' : ''})`);
  const unitAxes = spec.mask.granularity === 'unit' ? defaultUnitAxes(model, masked, spec.mask.axis) : undefined;

  const runDir = path.resolve(options.resume ?? options.outDir ?? path.join(spec.workspaceRoot, RUNS_DIR, runId()));
  const variants: BaseVariant[] = spec.controls.randomInit ? ['trained', 'random-init'] : ['trained'];
  const plan: WorkItem[] = variants.flatMap((variant) => Object.keys(spec.subroutines).flatMap((subroutine) => spec.seeds.map((seed) => ({ subroutine, seed, variant }))));
  const started = Date.now();
  const run: RunInfo = options.resume ? JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILE), 'utf8')) : {
    schemaVersion: RESULTS_SCHEMA_VERSION, id: path.basename(runDir), spec, specPath: spec.specPath, model: spec.model,
    versions: { subnetworkLens: VERSION, onnxruntime: ort.env.versions.node ?? 'unknown', node: process.versions.node },
    seeds: spec.seeds, status: 'running', created: new Date().toISOString(), updated: new Date().toISOString(),
    timings: { totalMs: 0, maskStepMs: null, maskSteps: 0, perSubroutine: {} }, done: [], total: plan.length,
  };
  run.status = 'running';
  delete run.error;
  writeRunInfo(runDir, run);

  const opened: OpenedData[] = [];
  const open = (file: string) => { const d = datasetAsTrainingData(file, model, spec); opened.push(d); return d; };
  const items: WorkItemRecord[] = run.done.map((w) => loadItem(runDir, w));
  const stepTimes: number[] = items.flatMap((i) => i.stepMs);
  try {
    const testSets = new Map<string, OpenedData>(Object.entries(spec.subroutines).map(([name, s]) => [name, open(s.test)]));
    if (spec.task) testSets.set(TASK_TEST_SET, open(spec.task.test));
    const trainSets = new Map(Object.entries(spec.subroutines).map(([name, s]) => [name, open(s.train)]));
    const validationSets = new Map(Object.entries(spec.subroutines).filter(([, s]) => s.validation).map(([name, s]) => [name, open(s.validation!)]));
    const chance = chanceLevel(spec.head, outputClasses(model, output));
    const todo = plan.filter((w) => !run.done.some((d) => d.subroutine === w.subroutine && d.seed === w.seed && d.variant === w.variant));
    for (const variant of variants) {
      const base = variant === 'trained' ? model : reinitialised(model, masked, spec.seeds[0] ?? 0);
      const weights: Weights = new Map(masked.map((n) => [n, base.graph.initializers.get(n)!.data as Float32Array]));
      const evaluator = await Evaluator.create(base, { output, head: spec.head, replaced: masked, threads: options.threads });
      try {
        const full: AccuracyByTestSet = {};
        for (const [name, data] of testSets) full[name] = (await evaluator.evaluate(data, weights)).accuracy;
        for (const w of todo.filter((t) => t.variant === variant)) {
          if (hooks.signal.aborted) break;
          const index = run.done.length;
          const t0 = performance.now();
          const record = await runWorkItem({
            spec, model: base, output, masked, unitAxes, weights, evaluator, threads: options.threads, signal: hooks.signal,
            train: trainSets.get(w.subroutine)!, validation: validationSets.get(w.subroutine), testSets,
            onStep: (s, total) => hooks.onProgress({
              fraction: (index + Math.min(1, s.step / total)) / plan.length, phase: 'train-mask',
              message: `${w.variant === 'trained' ? '' : 'random-init control: '}${w.subroutine}, seed ${w.seed}: step ${s.step}/${total}`,
              subroutine: w.subroutine, seed: w.seed, step: s.step, steps: total, loss: s.loss, accuracy: s.accuracy, keptFraction: s.keptFraction, beta: s.beta,
            }),
          }, w.subroutine, w.seed, w.variant, full);
          if (!record) break;
          saveItem(runDir, record, base, spec);
          items.push(record);
          stepTimes.push(...record.stepMs);
          run.done.push(w);
          // Own keys only: a subroutine named `constructor` must not find Object.prototype's.
          const timings = run.timings.perSubroutine;
          if (!Object.hasOwn(timings, w.subroutine)) {
            timings[w.subroutine] = { maskTrainingMs: 0, evaluationMs: 0, controlsMs: 0 };
          }
          const per = timings[w.subroutine]!;
          per.maskTrainingMs += record.training.ms;
          per.evaluationMs += performance.now() - t0 - record.training.ms;
          run.timings.maskSteps += record.training.steps;
          run.timings.maskStepMs = stepTimes.length ? median(stepTimes) : null;
          run.timings.totalMs += Date.now() - started - run.timings.totalMs;
          writeResults(runDir, assembleResults({ runId: run.id, spec, chance, testSets: [...testSets.keys()], items, total: plan.length }), run);
          writeRunInfo(runDir, run);
          hooks.onProgress({ fraction: run.done.length / plan.length, phase: 'evaluate', message: `${w.subroutine}, seed ${w.seed} done`, subroutine: w.subroutine, seed: w.seed });
        }
      } finally {
        await evaluator.release();
      }
      if (hooks.signal.aborted) break;
    }
    run.status = hooks.signal.aborted ? 'cancelled' : 'complete';
    writeResults(runDir, assembleResults({ runId: run.id, spec, chance, testSets: [...testSets.keys()], items, total: plan.length }), run);
  } catch (e) {
    run.status = hooks.signal.aborted ? 'cancelled' : 'failed';
    run.error = { name: (e as Error).name ?? 'Error', message: (e as Error).message };
    writeRunInfo(runDir, run);
    throw e;
  } finally {
    for (const d of opened) d.dataset.close();
  }
  writeRunInfo(runDir, run);
  return { runDir, status: run.status };
}

function runId(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

/** A copy of the model with every masked tensor redrawn from N(0, 2/fan_in) (He), seeded. */
export function reinitialised(model: Model, masked: string[], seed: number): Model {
  const rng = Rng.derive(seed, 'random-init');
  const initializers = new Map(model.graph.initializers);
  for (const name of masked) {
    const t = initializers.get(name)!;
    const fanIn = t.dims.slice(1).reduce((a, b) => a * b, 1) || 1;
    const std = Math.sqrt(2 / fanIn);
    initializers.set(name, { ...t, data: Float32Array.from({ length: t.data.length }, () => rng.normal() * std), proto: undefined, external: undefined });
  }
  return { ...model, graph: { ...model.graph, initializers }, proto: undefined };
}

const itemFile = (dir: string, w: WorkItem) => path.join(dir, 'items', w.variant, w.subroutine, `seed-${w.seed}.json`);

function saveItem(dir: string, r: WorkItemRecord, model: Model, spec: ResolvedSpec): void {
  let kept = 0, total = 0;
  const tensors = Object.fromEntries([...r.masks].map(([k, m]) => {
    for (let i = 0; i < m.length; i++) kept += m[i]!;
    total += m.length;
    return [k, { shape: model.graph.initializers.get(k)!.dims, data: m }];
  }));
  writeMask(dir, r.subroutine, r.seed, tensors, { method: spec.mask.method, granularity: spec.mask.granularity, keptFraction: String(kept / total) }, r.variant);
  const { masks: _masks, ...rest } = r;
  writeFileAtomic(itemFile(dir, r), toJson(rest));
}

function loadItem(dir: string, w: WorkItem): WorkItemRecord {
  const rest = JSON.parse(fs.readFileSync(itemFile(dir, w), 'utf8')) as Omit<WorkItemRecord, 'masks'>;
  const { masks } = readMask(path.join(dir, 'masks', ...(w.variant === 'trained' ? [] : ['random-init']), w.subroutine, `seed-${w.seed}.safetensors`));
  const m: Masks = new Map(Object.entries(masks));
  return { ...rest, masks: m };
}

