// Re-evaluates one saved mask of a run under one ablation mode, without retraining: the intact model
// and the model with the mode applied on each chosen test set, and optionally size-matched random
// ablations (per layer, same mode) as a null distribution with a one-sided p-value. The result is
// saved beside the run's other files, under ablations/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AblateOptions, AblateResult, AblateRow, JobHooks } from '../shared/jobs';
import { maskFile, RUN_FILE, TASK_TEST_SET, type RunInfo } from '../shared/results';
import { readModel } from '../core/onnx/readModel';
import { datasetAsTrainingData, type OpenedData } from '../core/data/datasetAsTrainingData';
import { applyMask, sizeMatchedRandomMask, type Masks, type Weights } from '../core/masks/applyMask';
import { Evaluator } from '../core/train/Evaluator';
import { TrainerError } from '../core/train/errors';
import { Rng } from '../core/util/random';
import { writeFileAtomic } from '../core/util/writeFileAtomic';
import { mean, randomAblationP, sampleSd } from '../core/protocol/statistics';
import { readMask } from '../core/runStore/readRun';
import { toJson } from '../core/runStore/writeResults';
import type { AblationMode } from '../shared/spec';

export async function ablate(options: AblateOptions, hooks: JobHooks): Promise<AblateResult> {
  const runFile = path.join(options.runDir, RUN_FILE);
  if (!fs.existsSync(runFile)) throw new TrainerError(`${options.runDir} is not a run folder (no ${RUN_FILE})`);
  const run = JSON.parse(fs.readFileSync(runFile, 'utf8')) as RunInfo;
  const spec = run.spec;
  if (!(options.subroutine in spec.subroutines)) {
    const subroutines = Object.keys(spec.subroutines).join(', ');
    throw new TrainerError(`the run has no subroutine '${options.subroutine}' (subroutines: ${subroutines})`);
  }
  const maskPath = path.join(options.runDir, maskFile(options.subroutine, options.seed));
  if (!fs.existsSync(maskPath)) {
    const finished = run.done
      .filter((d) => d.subroutine === options.subroutine && d.variant === 'trained')
      .map((d) => d.seed)
      .join(', ');
    throw new TrainerError(`no mask for ${options.subroutine}, seed ${options.seed} in the run `
      + `(expected ${maskFile(options.subroutine, options.seed)}; seeds finished: ${finished || 'none'})`);
  }
  const allSets = new Map<string, string>(Object.entries(spec.subroutines).map(([name, s]) => [name, s.test]));
  if (spec.task) allSets.set(TASK_TEST_SET, spec.task.test);
  const chosen = options.testSets ?? [...allSets.keys()];
  for (const name of chosen) {
    if (!allSets.has(name)) {
      throw new TrainerError(`the run has no test set '${name}' (test sets: ${[...allSets.keys()].join(', ')})`);
    }
  }
  const draws = options.randomAblations ?? 0;

  const model = readModel(run.model);
  const { masks: maskRecord } = readMask(maskPath);
  const masks: Masks = new Map(Object.entries(maskRecord));
  const masked = [...masks.keys()];
  const weights: Weights = new Map();
  let kept = 0, total = 0;
  for (const [name, m] of masks) {
    const t = model.graph.initializers.get(name);
    if (!t || t.data.length !== m.length) {
      throw new TrainerError(`the mask of '${name}' does not fit the model ${run.model} `
        + '(has the model changed since the run?)');
    }
    weights.set(name, t.data as Float32Array);
    for (let i = 0; i < m.length; i++) kept += m[i]!;
    total += m.length;
  }
  const output = spec.output ?? model.graph.outputs[0]!.name;
  const keepOnly = options.mode === 'keep-only';
  const removal: AblationMode = options.mode === 'keep-only' ? 'zero' : options.mode;
  const rng = Rng.derive(options.seed, 'ablate', options.subroutine, options.mode);
  const ablated = applyMask(weights, masks, keepOnly, removal, rng);

  const evaluator = await Evaluator.create(model, {
    output, head: spec.head, replaced: masked, threads: options.threads,
  });
  const opened: OpenedData[] = [];
  const rows: AblateRow[] = [];
  const steps = chosen.length * (2 + draws);
  let done = 0;
  const tick = (message: string) => {
    if (hooks.signal.aborted) throw new TrainerError('ablation cancelled');
    hooks.onProgress({
      fraction: done / steps, phase: 'evaluate', message,
      subroutine: options.subroutine, seed: options.seed, step: done, steps,
    });
    done++;
  };
  try {
    const sets = chosen.map((name) => {
      const d = datasetAsTrainingData(allSets.get(name)!, model, spec);
      opened.push(d);
      return [name, d] as const;
    });
    for (const [name, data] of sets) {
      tick(`${name}: intact model`);
      const accuracyFull = (await evaluator.evaluate(data, weights)).accuracy;
      tick(`${name}: ${options.mode}`);
      const accuracyAblated = (await evaluator.evaluate(data, ablated)).accuracy;
      rows.push({ testSet: name, examples: data.size, accuracyFull, accuracyAblated });
    }
    if (draws > 0) {
      const perSet = new Map<string, number[]>(chosen.map((n) => [n, []]));
      const drawRng = Rng.derive(options.seed, 'ablate-random', options.subroutine, options.mode);
      for (let d = 0; d < draws; d++) {
        const random = applyMask(weights, sizeMatchedRandomMask(masks, drawRng), keepOnly, removal, drawRng);
        for (const [name, data] of sets) {
          tick(`random ablation ${d + 1}/${draws}: ${name}`);
          perSet.get(name)!.push((await evaluator.evaluate(data, random)).accuracy);
        }
      }
      for (const row of rows) {
        const accs = perSet.get(row.testSet)!;
        row.randomMean = mean(accs)!;
        row.randomStd = sampleSd(accs) ?? 0;
        row.pValue = randomAblationP(row.accuracyAblated, accs);
      }
    }
  } finally {
    for (const d of opened) d.dataset.close();
    await evaluator.release();
  }
  hooks.onProgress({
    fraction: 1, phase: 'evaluate', message: `${options.subroutine}, seed ${options.seed}: ${options.mode} evaluated`,
    subroutine: options.subroutine, seed: options.seed,
  });
  const result: AblateResult = {
    runDir: options.runDir, subroutine: options.subroutine, seed: options.seed, mode: options.mode,
    keptFraction: total ? kept / total : 0, rows,
  };
  const savedName = `seed-${options.seed}-${options.mode}${draws ? `-random${draws}` : ''}.json`;
  const savedTo = path.join(options.runDir, 'ablations', options.subroutine, savedName);
  fs.mkdirSync(path.dirname(savedTo), { recursive: true });
  writeFileAtomic(savedTo, toJson({
    ...result, testSets: chosen, randomAblations: draws, created: new Date().toISOString(),
  }));
  return { ...result, savedTo };
}
