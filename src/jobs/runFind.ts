// The structural-compositionality protocol over a task spec (DESIGN.md §1): per base model (trained, and
// the random-init control), subroutine and seed, one work item (runWorkItem); each finished item is saved
// at once (mask + item record), so a cancelled or crashed run resumes where it stopped, and shards of one
// plan fill one folder side by side (RunStore).
import * as path from 'node:path';
import type { FindOptions, FindResult, JobHooks } from '../shared/jobs';
import type { AccuracyByTestSet, BaseVariant, RunInfo, WorkItem } from '../shared/results';
import { RESULTS_SCHEMA_VERSION, RUNS_DIR } from '../shared/results';
import type { ResolvedSpec } from '../shared/spec';
import { loadSpec, selectInitializers } from '../core/data/loadSpec';
import { datasetAsTrainingData, type OpenedData } from '../core/data/datasetAsTrainingData';
import { outputClasses, resolveOutput } from '../core/data/resolveOutput';
import { readModel } from '../core/onnx/readModel';
import { maskableInitializers } from '../core/masks/maskableInitializers';
import { renamedParameters } from '../core/onnx/exporterNames';
import { fixedBatchOf } from '../core/train/fixedBatch';
import { Evaluator } from '../core/train/Evaluator';
import { cacheFrozenPrefix, splitFrozenPrefix } from '../core/train/frozenPrefix';
import type { TrainingData } from '../core/train/TrainingData';
import type { Model } from '../core/onnx/ir';
import { TrainerError } from '../core/train/errors';
import { softmaxLogits } from '../core/train/lossHeads';
import type { Weights } from '../core/masks/applyMask';
import { reinitialiseModel } from '../core/protocol/reinitialiseModel';
import { runWorkItem } from '../core/protocol/runWorkItem';
import { assembleResults } from '../core/protocol/assembleResults';
import { chanceLevel } from '../core/protocol/scores';
import { defaultUnitAxes } from '../core/masks/unitAxes';
import { TASK_TEST_SET } from '../shared/results';
import { ort, useDevice } from '../core/runtime/session';
import { readRunInfo } from '../core/runStore/readRunInfo';
import { runFingerprint } from '../core/runStore/runFingerprint';
import { itemKey, RunStore } from '../core/runStore/RunStore';
import { shardItems } from '../core/runStore/shardItems';
import { workspaceOfRun } from '../core/runStore/workspaceOfRun';
import { renderReport } from '../core/views/report';

const VERSION = '0.1.0';

export async function runFind(options: FindOptions, hooks: JobHooks): Promise<FindResult> {
  const executionProvider = useDevice(options.device ?? 'cpu');
  const workspaceRoot = options.workspaceRoot ?? (options.resume ? workspaceOfRun(options.resume) : undefined);
  const spec = loadSpec(options.specPath, { workspaceRoot });
  const runDir = path.resolve(options.resume ?? options.outDir ?? path.join(spec.workspaceRoot, RUNS_DIR, runId()));
  // A resumed run keeps its seeds unless --seeds names others (which the fingerprint then refuses).
  const recorded = options.resume ? readRunInfo(runDir) : undefined;
  spec.seeds = options.seeds ?? recorded?.seeds ?? spec.seeds;
  const model = readModel(spec.model);
  const output = resolveOutput(model, spec);
  const maskable = maskableInitializers(model);
  const masked = selectInitializers(maskable, spec.mask.include, spec.mask.exclude);
  if (masked.length === 0) {
    const listed = `${maskable.slice(0, 10).join(', ')}${maskable.length > 10 ? ', …' : ''}`;
    throw new TrainerError(`no initializer matches mask.include/exclude (maskable: ${listed})`);
  }
  const unitAxes = spec.mask.granularity === 'unit' ? defaultUnitAxes(model, masked, spec.mask.axis) : undefined;
  // Settings the run adapts to the model: recorded in run.json and the report, and printed.
  const notices: string[] = [];
  const logits = softmaxLogits(model.graph, output, spec.head);
  if (logits) notices.push(`output '${output}' is a Softmax: masks are trained on its input '${logits}'`);
  const fixed = fixedBatchOf(model, spec.head);
  if (fixed !== undefined && spec.mask.batch !== fixed) {
    notices.push(`the model's batch dimension is fixed at ${fixed}: `
      + `mask training uses batches of ${fixed}, not mask.batch ${spec.mask.batch}`);
    spec.mask.batch = fixed;
  }
  const parameters = renamedParameters(model, masked);

  const variants = baseVariants(spec);
  const plan = planItems(spec);
  const shard = options.shard ?? { index: 0, count: 1 };
  const testSetNames = [...Object.keys(spec.subroutines), ...(spec.task ? [TASK_TEST_SET] : [])];
  const chance = chanceLevel(spec.head, outputClasses(model, output));
  const fingerprint = runFingerprint(spec, model);
  const id = path.basename(runDir);
  const onnxruntime = ort.env.versions.node ?? 'unknown';
  const versions = { subnetworkLens: VERSION, onnxruntime, node: process.versions.node, executionProvider };
  const store = RunStore.open({
    dir: runDir, mode: options.resume ? 'resume' : options.shard ? 'join' : 'new', shard, spec, fingerprint, plan,
    fresh: () => ({
      schemaVersion: RESULTS_SCHEMA_VERSION, id, spec, specPath: spec.specPath, model: spec.model,
      versions, seeds: spec.seeds, status: 'running',
      created: new Date().toISOString(), updated: new Date().toISOString(),
      timings: { totalMs: 0, maskStepMs: null, maskSteps: 0, perSubroutine: {} },
      done: [], total: plan.length, fingerprint,
      ...(notices.length ? { notices } : {}),
      ...(Object.keys(parameters).length ? { parameters } : {}),
    }),
    assemble: (items) => assembleResults({
      runId: id, spec, chance, testSets: testSetNames, items, total: plan.length,
    }),
    report: renderReport,
  });
  for (const message of notices) hooks.onProgress({ fraction: 0, message });

  const opened: OpenedData[] = [];
  const open = (file: string) => { const d = datasetAsTrainingData(file, model, spec); opened.push(d); return d; };
  let run: RunInfo;
  try {
    const testSets = new Map<string, OpenedData>(
      Object.entries(spec.subroutines).map(([name, s]) => [name, open(s.test)]),
    );
    if (spec.task) testSets.set(TASK_TEST_SET, open(spec.task.test));
    const trainSets = new Map(Object.entries(spec.subroutines).map(([name, s]) => [name, open(s.train)]));
    const validationSets = new Map(
      Object.entries(spec.subroutines).filter(([, s]) => s.validation).map(([name, s]) => [name, open(s.validation!)]),
    );
    const draws = spec.controls.randomAblations;
    if (draws > 0) {
      const subroutines = Object.keys(spec.subroutines).length;
      const rows = [...testSets.values()].reduce((a, d) => a + d.size, 0);
      hooks.onProgress({
        fraction: 0, phase: 'controls',
        message: `random ablations: ${draws} per seed × ${spec.seeds.length} seeds × ${subroutines} subroutines = `
          + `${draws * spec.seeds.length * subroutines} evaluations of ${rows} test rows each (no training)`,
      });
    }
    const done = new Set(store.doneItems().map(itemKey));
    const todo = options.assembleOnly ? [] : shardItems(plan, shard).filter((w) => !done.has(itemKey(w)));
    let finished = done.size;
    for (const variant of variants) {
      if (!todo.some((t) => t.variant === variant)) continue;
      const randomInitSeed = spec.controls.randomInitSeed ?? spec.seeds[0] ?? 0;
      const base = variant === 'trained' ? model : reinitialiseModel(model, randomInitSeed);
      const weights: Weights = new Map(masked.map((n) => [n, base.graph.initializers.get(n)!.data as Float32Array]));
      const sets = await withFrozenPrefix(base, masked, output, spec, { trainSets, validationSets, testSets }, {
        threads: options.threads, signal: hooks.signal,
        onNotice: (message) => hooks.onProgress({ fraction: finished / plan.length, message }),
      });
      const evaluator = await Evaluator.create(sets.model, {
        output, head: spec.head, replaced: masked, threads: options.threads,
      });
      try {
        const full: AccuracyByTestSet = {};
        for (const [name, data] of sets.testSets) full[name] = (await evaluator.evaluate(data, weights)).accuracy;
        for (const w of todo.filter((t) => t.variant === variant)) {
          if (hooks.signal.aborted) break;
          const index = finished;
          const t0 = performance.now();
          const record = await runWorkItem({
            spec, model: sets.model, output, masked, unitAxes, weights, evaluator,
            threads: options.threads, signal: hooks.signal, train: sets.trainSets.get(w.subroutine)!,
            validation: sets.validationSets.get(w.subroutine), testSets: sets.testSets,
            onStep: (s, total) => hooks.onProgress({
              fraction: (index + Math.min(1, s.step / total)) / plan.length, phase: 'train-mask',
              message: `${w.variant === 'trained' ? '' : 'random-init control: '}`
                + `${w.subroutine}, seed ${w.seed}: step ${s.step}/${total}`,
              subroutine: w.subroutine, seed: w.seed, step: s.step, steps: total,
              loss: s.loss, accuracy: s.accuracy, keptFraction: s.keptFraction, beta: s.beta,
            }),
          }, w.subroutine, w.seed, w.variant, full);
          if (!record) break;
          store.saveItem(record, base, performance.now() - t0);
          finished = store.assemble().done.length;
          hooks.onProgress({
            fraction: finished / plan.length, phase: 'evaluate', message: `${w.subroutine}, seed ${w.seed} done`,
            subroutine: w.subroutine, seed: w.seed,
          });
        }
      } finally {
        await evaluator.release();
      }
      if (hooks.signal.aborted) break;
    }
    run = store.assemble({ aborted: hooks.signal.aborted || options.assembleOnly === true });
  } catch (e) {
    store.assemble({ aborted: hooks.signal.aborted, error: hooks.signal.aborted ? undefined : e as Error });
    throw e;
  } finally {
    store.release();
    for (const d of opened) d.dataset.close();
  }
  const itemsLeft = plan.length - run.done.length;
  return { runDir, status: itemsLeft === 0 || !hooks.signal.aborted ? 'complete' : 'cancelled', itemsLeft };
}

/** A run's data sets by role and subroutine (test sets by test-set name). */
interface RunSets {
  trainSets: Map<string, TrainingData>;
  validationSets: Map<string, TrainingData>;
  testSets: Map<string, TrainingData>;
}

/** Activations of the frozen layers above this many bytes are recomputed at every step instead. */
const FROZEN_CACHE_BYTES = 2 ** 30;

/**
 * The model the masks train and are scored on, with the data sets it reads: when the masked weights leave
 * the layers before them frozen, those layers run once per data set here (cacheFrozenPrefix), and training
 * and evaluation run the rest of the model on their activations. Otherwise the model and sets as they are.
 */
async function withFrozenPrefix(
  model: Model, masked: string[], output: string, spec: ResolvedSpec, sets: RunSets,
  options: { threads?: number; signal: AbortSignal; onNotice(message: string): void },
): Promise<RunSets & { model: Model }> {
  const split = splitFrozenPrefix(model, masked, output);
  if (!split) return { model, ...sets };
  const groups = [sets.trainSets, sets.validationSets, sets.testSets];
  const all = groups.flatMap((g) => [...g.values()]);
  const cached = await cacheFrozenPrefix(split, all, {
    model, head: spec.head, threads: options.threads, budgetBytes: FROZEN_CACHE_BYTES, signal: options.signal,
  });
  if ('skipped' in cached) {
    options.onNotice(
      `the ${split.prefixNodes} unmasked nodes before the masked weights run at every step: ${cached.skipped}`);
    return { model, ...sets };
  }
  options.onNotice(`the ${split.prefixNodes} unmasked nodes before the masked weights ran once per data set `
    + `(${(cached.bytes / 2 ** 20).toFixed(1)} MiB of activations); masks train on the rest of the model`);
  let i = 0;
  const [trainSets, validationSets, testSets] = groups
    .map((g) => new Map([...g.keys()].map((k) => [k, cached.sets[i++]!])));
  return { model: cached.model, trainSets: trainSets!, validationSets: validationSets!, testSets: testSets! };
}

const baseVariants = (spec: ResolvedSpec): BaseVariant[] =>
  (spec.controls.randomInit ? ['trained', 'random-init'] : ['trained']);

/** Every work item of the spec, in a fixed order: base variant, subroutine, seed. */
export function planItems(spec: ResolvedSpec): WorkItem[] {
  return baseVariants(spec).flatMap((variant) => Object.keys(spec.subroutines)
    .flatMap((subroutine) => spec.seeds.map((seed) => ({ subroutine, seed, variant }))));
}

export function runId(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
