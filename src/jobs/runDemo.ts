// The built-in demo (`subnetwork-lens demo`, `npm run demo`): for each task of a preset, generate a
// workspace (writeTaskWorkspace), train its base model from scratch (trainBaseModel), run the whole
// protocol with controls (runFind) once per mask scope (all weights, late layers only), and gather one
// summary table (task × base model × mask scope × subroutine: base accuracy and density, subnetwork and
// ablation scores, verdict, kept fraction, overlap, random-init control), written as
// OUT/summary.md and OUT/summary.json. Each task's folder is a ready-made workspace for the extension.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobHooks, ProgressEvent } from '../shared/jobs';
import { RESULTS_FILE, type ResultsFile, type Verdict } from '../shared/results';
import type { SpecFile, VerdictSpec } from '../shared/spec';
import { chooseSparsestWithin } from '../core/protocol/chooseSparsestWithin';
import { decideVerdict } from '../core/protocol/verdict';
import { fisherCombinedP, holmAdjust } from '../core/protocol/statistics';
import { summarizeSubroutine } from '../core/protocol/summarizeSubroutine';
import { runFind } from './runFind';
import { loadSpec } from '../core/data/loadSpec';
import { pruneModel, type PruneResult } from './pruneModel';
import { readModel } from '../core/onnx/readModel';
import { isMaskable } from '../core/masks/isMaskable';
import { pretrainWorkspaceModel } from '../core/tasks/pretrainWorkspaceModel';
import { writeFileAtomic } from '../core/util/writeFileAtomic';
import { TaskError } from '../core/tasks/errors';
import { trainBaseModel, type BaseModelTraining } from '../core/tasks/trainBaseModel';
import {
  CONTROL_TASK_NAMES, CONTROL_TASKS, DEMO_TASK_NAMES, TASKS, type ControlTaskName, type DemoTaskName, type TaskFamily,
  type TaskName,
} from '../core/tasks/taskCatalog';
import {
  CONTROL_BASE_TRAINING, sharedModel, streamsModel, writeControlWorkspace,
} from '../core/tasks/writeControlWorkspace';
import {
  WORKSPACE_SIZES, writeTaskWorkspace, type TaskWorkspaceOptions, type WorkspaceSizes,
} from '../core/tasks/writeTaskWorkspace';
import { formatNumber, formatPercent, formatPValue } from '../core/views/format';

export type DemoPreset = 'quick' | 'default' | 'full';

/**
 * How a base model is made: `scratch` trained on the compositional task; `pretrained` self-supervised
 * first (masked tokens / contrastive views), then trained on the task; `pruned` trained from scratch,
 * then one continuous-sparsification mask trained on the whole task with the plan's mask settings, and
 * that mask's own solution (every weight whose logit ends above 0) kept, as the reference built its pruned
 * models (`subnetwork-lens prune --keep solution`); `sparse` trained from scratch under a magnitude top-k
 * constraint keeping SPARSE_KEEP of every weight matrix after each update. (Not the protocol's
 * trained / random-init split of results.json, which is BaseVariant.)
 */
export type BaseModelVariant = 'scratch' | 'pretrained' | 'pruned' | 'sparse';
export const BASE_MODEL_VARIANTS: BaseModelVariant[] = ['scratch', 'pretrained', 'pruned', 'sparse'];
/**
 * Fraction of each weight matrix the sparse variant keeps: at 20 % the vision CNN falls short of the dense
 * model's test accuracy, at 30 % it comes close; the transformer is unaffected by either.
 */
export const SPARSE_KEEP = 0.3;

/**
 * Which weights the masks cover: `all` every weight matrix; `post-stem` all but the stem (the CNN's first
 * conv block) and the embeddings: the last two stages and the head; `late` the last stage and the head.
 * The rest of the network stays intact. The reference searched all stages, stages 3+4 and stage 4 (each
 * with the MLP head), kept only the last two kinds for inside–contact, and never masked embeddings; masking
 * the stem puts the shared early features into every subnetwork. The presets run post-stem and late.
 */
export type MaskScope = 'all' | 'post-stem' | 'late';
export const MASK_SCOPES: MaskScope[] = ['all', 'post-stem', 'late'];
/**
 * Initializer globs (spec `mask.include`) of the restricted scopes, for makeVisionModel's stem, three ResNet
 * stages and MLP head and makeLanguageModel's embeddings, two encoder layers and [CLS] pooler head.
 */
export const SCOPE_LAYERS: Record<Exclude<MaskScope, 'all'>, Record<TaskFamily, string[]>> = {
  'post-stem': { vision: ['stage2.*', 'stage3.*', 'head.*'], language: ['encoder.*', 'head.*'] },
  late: { vision: ['stage3.*', 'head.*'], language: ['encoder.layer1.*', 'head.*'] },
};
/**
 * Folder of a workspace holding a restricted scope's copy of its spec (base training expects one spec at
 * the top).
 */
export const SCOPE_SPEC_DIRS: Record<Exclude<MaskScope, 'all'>, string> = {
  'post-stem': 'post-stem-layers', late: 'late-layers',
};

/** Everything one task of the demo does; the presets below fill it in. */
export interface DemoTaskPlan {
  task: TaskName;
  sizes: WorkspaceSizes;
  model?: TaskWorkspaceOptions['model'];
  /** Vision: image side in pixels (default: the scene generator's). */
  imageSize?: number;
  base: { epochs: number; lr: number; batch: number; warmupEpochs: number };
  /** Mask training; `init` is the pruned variant's and the fallback when `maskInits` has one candidate. */
  mask: { epochs: number; lr: number; batch: number; lambda: number; init: number; temperature: [number, number] };
  /**
   * Candidate initial mask logits. With more than one, every base model and mask scope chooses its own
   * (selectMaskInit) on its subroutines' validation sets before the protocol runs.
   */
  maskInits: number[];
  /** Mask-training seeds of the protocol. */
  seeds: number[];
  /** Base models per task, one workspace each (seed of the data and the initial weights); default [0]. */
  baseSeeds?: number[];
  controls: { randomInit: boolean; randomAblations: number };
  /** Base-model variants each mask scope runs on; a variant no scope names is not trained. */
  maskScopes: Record<MaskScope, BaseModelVariant[]>;
}

export interface DemoOptions {
  /** Output folder (one workspace per task inside it, plus summary.md / summary.json). */
  outDir: string;
  preset?: DemoPreset;
  /** Restrict to these tasks, controls included (default: the controls, then the preset's tasks). */
  tasks?: DemoTaskName[];
  /** Base models per task (seeds of data and initial weights); overrides the preset's. */
  baseSeeds?: number[];
  /** Base-model variants, each a workspace of its own (default: all). */
  variants?: BaseModelVariant[];
  /** Run only these mask scopes, each on every variant (default: the plan's maskScopes). */
  maskScopes?: MaskScope[];
  threads?: number;
  signal?: AbortSignal;
  /** One human-readable progress line (already throttled). */
  onLine?(line: string): void;
  /** Every engine progress event, with the task it belongs to. */
  onProgress?(task: DemoTaskName, event: ProgressEvent): void;
}

/**
 * One summary row (summary.json's `rows`): a subroutine of one protocol run. The first eleven fields are
 * the benchmark's comparison table; the rest are details.
 */
export interface DemoRow {
  task: DemoTaskName;
  /** Base model architecture (cnn, transformer, or the control's MLP). */
  base: string;
  /** How the base model was made. */
  variant: BaseModelVariant;
  /** Seed of the base model's workspace (data and initial weights). */
  baseSeed: number;
  /** Which weights the masks covered. */
  masked: MaskScope;
  subroutine: string;
  verdict: Verdict;
  subnetworkScore: number | null;
  ablationScore: number | null;
  /** Mean kept fraction of the subnetwork (of the masked weights) across seeds. */
  kept: number | null;
  /** The same protocol on masks trained on the re-initialised model (null when the control is off). */
  randomInit: RandomInitRow | null;
  verdictReason: string;
  family: TaskFamily | 'control';
  /** Base model accuracy on the compositional test set (data/task.npz). */
  baseAccuracy: number;
  /** Base model accuracy on the compositional validation set (data/task_val.npz; never scored by the protocol). */
  baseValidationAccuracy: number | null;
  /** Fraction of the base model's maskable weights that are non-zero (1 for a dense model). */
  baseWeightsKept: number;
  maskedWeights: number | null;
  /** IoU of this task's two subnetworks (same seed, averaged over seeds). */
  overlapIoU: number | null;
  /** Random-ablation p of the ablation effect (Fisher across seeds), and Holm-adjusted across subroutines. */
  randomAblationP: number | null;
  randomAblationPAdjusted: number | null;
  /** Random ablations per mask seed. */
  randomAblationDraws: number;
  /** Per mask seed: training steps, train accuracy of the last epoch and the mask init used. */
  masks: { seed: number; steps: number; trainAccuracy: number | null; init: number }[];
}

/**
 * The random-init control's row. Its verdict is the same rule without the specificity test (the control
 * runs no random ablations), so at best `inconclusive`; the gates say whether there was anything to find.
 */
export interface RandomInitRow {
  verdict: Verdict;
  verdictReason: string;
  subnetworkScore: number | null;
  ablationScore: number | null;
}

/** One protocol run on a base model, with the masks restricted to one scope. */
export interface DemoRun {
  masked: MaskScope;
  spec: string;
  runDir: string;
  status: 'complete' | 'cancelled' | 'failed';
  findMs: number;
  /** How the mask init was chosen (absent when the plan has one candidate). */
  selection?: MaskInitSelection;
}

export interface DemoTaskResult {
  task: DemoTaskName;
  variant: BaseModelVariant;
  baseSeed: number;
  workspace: string;
  /** `complete` when the base model and every planned protocol run finished. */
  status: 'complete' | 'cancelled' | 'failed';
  training: BaseModelTraining;
  /** The pruned variant's pruning: the kept fraction its mask reached, accuracies, the mask's training. */
  pruning?: PruneResult;
  runs: DemoRun[];
  timings: { generateMs: number; trainMs: number };
}

export interface DemoSummary {
  preset: DemoPreset;
  outDir: string;
  tasks: DemoTaskResult[];
  rows: DemoRow[];
  totalMs: number;
  cancelled: boolean;
  /** The table as Markdown (the body of summary.md). */
  markdown: string;
}

/**
 * Default and full presets: the compositional task at default size, smaller subroutine training sets (mask
 * training dominates the time) and validation sets for choosing the mask init.
 */
const DEFAULT_SIZES: WorkspaceSizes = { ...WORKSPACE_SIZES.default, train: 1000, validation: 250 };

/**
 * Adam learning rates of base-model training (batch 64). Higher rates (5e-3 at batch 32) left the vision
 * CNN at chance for 10+ epochs and the transformer below 90 %; these reach ≥ 95 % within a few epochs.
 */
const BASE_LR: Record<TaskFamily, number> = { vision: 3e-3, language: 2e-3 };
/**
 * Warm-up epochs at lr/10 before base training's constant phase. Vision: without one the quick model
 * stayed at chance in 1 of 4 seeds (42 % after decay), with one 6 of 6 seeds reached 95–99.5 %; the
 * default vision model reached 99.2–99.6 % either way. Language: a warm-up epoch slowed seed 0 of the
 * default model to 94.2 % (100 % without), so none.
 */
const BASE_WARMUP: Record<TaskFamily, number> = { vision: 1, language: 0 };

/**
 * λ = 1e-5: the penalty is λ·Σ sigmoid(β·s), a sum over all masked weights, so λ scales inversely with
 * their number. The paper's 1e-8 was set for ~11M-weight ResNets; on these 26k–42k-weight models it left
 * 20–84 % of the weights in the masks, 1e-5 gives the paper's sparsity range on the vision task and 1e-4
 * empties the masks (loss at chance).
 */
const MASK = { lambda: 1e-5, init: 0.1, temperature: [1, 200] as [number, number], lr: 0.01 };

/** The reference's initial mask logits; each base model and scope chooses among them (selectMaskInit). */
export const MASK_INITS = [0.1, 0.05, 0, -0.05];
/**
 * Selection tolerance: among inits whose mean validation accuracy is within this of the best, the
 * sparsest wins (as the engine's hyper-parameter search).
 */
export const SELECTION_TOLERANCE = 0.01;

/**
 * Mask-training epochs per family at 1,000 subroutine training problems (15 steps an epoch at batch 64),
 * set where train accuracy stops rising: with β annealed over 40 epochs the transformer's late-scope masks
 * change by ≤ 0.01 over the last 15 epochs (reflexive 0.82, subject-verb 0.68); the CNN's number mask on
 * number–contact never leaves chance (0.27 from epoch 17 on, λ 1e-5 or 1e-6). 15 epochs (225 steps)
 * stopped the transformer's masks while still rising.
 */
const MASK_EPOCHS: Record<TaskFamily, number> = { vision: 40, language: 40 };

/** Seed of the random-init control's re-initialisation for a base model: its own per base seed. */
export const randomInitSeed = (baseSeed: number): number => 1000 + baseSeed;

/** One plan of the default or full preset for a task. */
function taskPlan(
  task: TaskName, sizes: WorkspaceSizes, baseEpochs: number,
): Omit<DemoTaskPlan, 'controls' | 'maskScopes'> {
  const family = TASKS[task].family;
  return {
    task, sizes, maskInits: MASK_INITS, seeds: [0, 1, 2],
    base: { epochs: baseEpochs, lr: BASE_LR[family], batch: 64, warmupEpochs: BASE_WARMUP[family] },
    mask: { ...MASK, epochs: MASK_EPOCHS[family], batch: 64 },
  };
}

/**
 * Task plans per preset, sized for this 2-core machine (README, Built-in benchmark): quick ≤ 2 min (a
 * pipeline check), default ≤ 15 min, full about 1.5 h. On a larger machine scale the full preset's base seeds,
 * variants and random ablations up, never the mask epochs down.
 */
export function demoPlan(preset: DemoPreset): DemoTaskPlan[] {
  switch (preset) {
    case 'quick':
      return [{
        task: 'inside-contact',
        sizes: { taskTrain: 2000, taskValidation: 200, taskTest: 200, train: 320, validation: 100, test: 200 },
        model: { channels: [8, 16, 16], hidden: 32, embedDim: 16 },
        imageSize: 32,
        base: { epochs: 12, lr: BASE_LR.vision, batch: 64, warmupEpochs: BASE_WARMUP.vision },
        // A pipeline check: too few steps to converge; two candidate inits exercise the selection.
        mask: { ...MASK, epochs: 10, batch: 64 },
        maskInits: [MASK_INITS[0]!, MASK_INITS.at(-1)!],
        seeds: [0, 1],
        // A seed's p is at least 1/(N + 1): with 2 seeds and Holm over 2 subroutines, 19 draws let the adjusted
        // p reach 0.035 (5 draws: 0.25), and each draw evaluates every test set once more.
        controls: { randomInit: false, randomAblations: 19 },
        maskScopes: { all: [], 'post-stem': BASE_MODEL_VARIANTS, late: [] },
      }];
    case 'default':
      return (['number-contact', 'agreement'] as TaskName[]).map((task) => ({
        ...taskPlan(task, DEFAULT_SIZES, 20),
        controls: { randomInit: true, randomAblations: 20 },
        // Mask training at its converged length costs ~5 min per vision base model and scope on this machine, so
        // the default runs the late scope on one vision and two language base models.
        maskScopes: {
          all: [], 'post-stem': [], late: TASKS[task].family === 'vision' ? ['scratch'] : ['scratch', 'pretrained'],
        },
      }));
    case 'full':
      // A vision base model costs ~6 min here (base training, 12 converged masks), a language one ~1.5 min: the
      // three vision tasks run from scratch, the language task every variant, each on 3 base seeds, late scope.
      return (['number-contact', 'inside-number', 'inside-contact', 'agreement'] as TaskName[]).map((task) => ({
        ...taskPlan(task, DEFAULT_SIZES, 20),
        baseSeeds: [0, 1, 2],
        controls: { randomInit: true, randomAblations: 20 },
        maskScopes: {
          all: [], 'post-stem': [], late: TASKS[task].family === 'vision' ? ['scratch'] : BASE_MODEL_VARIANTS,
        },
      }));
  }
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const t0 = Date.now();
  const preset = options.preset ?? 'default';
  const outDir = path.resolve(options.outDir);
  const unknown = options.tasks?.find((t) => !DEMO_TASK_NAMES.includes(t));
  if (unknown) {
    throw new TaskError(`unknown task '${unknown}' (built-in: ${DEMO_TASK_NAMES.join(', ')})`, 'tasks', unknown);
  }
  const selected = (task: DemoTaskName) => !options.tasks || options.tasks.includes(task);
  let plans = demoPlan(preset);
  if (options.tasks) {
    const template = plans[0]!;
    const named = options.tasks.filter((t): t is TaskName => !isControlTask(t));
    // A task the preset does not run takes the preset's first plan with its own family's training settings.
    const family = (task: TaskName) => TASKS[task].family;
    plans = named.map((task) => plans.find((p) => p.task === task) ?? {
      ...template, task, model: family(task) === family(template.task) ? template.model : undefined,
      base: { ...template.base, lr: BASE_LR[family(task)], warmupEpochs: BASE_WARMUP[family(task)] },
    });
  }
  const line = options.onLine ?? (() => {});
  const signal = options.signal ?? new AbortController().signal;
  fs.mkdirSync(outDir, { recursive: true });

  const tasks: DemoTaskResult[] = [];
  const rows: DemoRow[] = [];
  if (options.baseSeeds) plans = plans.map((p) => ({ ...p, baseSeeds: options.baseSeeds }));
  const controls = controlPlan(preset);
  const controlSeeds = options.baseSeeds ?? controls.baseSeeds;
  const controlUnits = CONTROL_TASK_NAMES.filter(selected)
    .flatMap((task) => controlSeeds.map((baseSeed) => ({ task, baseSeed })));
  const variants = options.variants ?? BASE_MODEL_VARIANTS;
  const units = plans.flatMap((plan) => (plan.baseSeeds ?? [0]).flatMap((baseSeed) => variants
    .filter((variant) => scopesOf(plan, variant, options).length).map((variant) => ({ plan, baseSeed, variant }))));
  const count = controlUnits.length + units.length;
  const context: DemoContext = {
    outDir, threads: options.threads, signal, line, onProgress: options.onProgress, scratchModels: new Map(),
    selections: new Map(),
  };
  for (const [i, { task, baseSeed }] of controlUnits.entries()) {
    if (signal.aborted) break;
    const tag = `[${i + 1}/${count} ${task}${controlSeeds.length > 1 ? ` base seed ${baseSeed}` : ''}]`;
    const done = await runControl(task, baseSeed, controlSeeds.length > 1, controls, tag, context);
    tasks.push(done.result);
    rows.push(...done.rows);
  }
  for (const [j, unit] of units.entries()) {
    if (signal.aborted) break;
    const { plan, baseSeed, variant } = unit;
    const several = (plan.baseSeeds ?? [0]).length > 1;
    const name = `${plan.task}${variant === 'scratch' ? '' : ` ${variant}`}${several ? ` base seed ${baseSeed}` : ''}`;
    const tag = `[${controlUnits.length + j + 1}/${count} ${name}]`;
    const done = await runTaskUnit(unit, several, tag, options, context);
    tasks.push(done.result);
    rows.push(...done.rows);
    if (done.cancelled) break;
  }

  const summary: DemoSummary = {
    preset, outDir, tasks, rows, totalMs: Date.now() - t0, cancelled: signal.aborted, markdown: '',
  };
  summary.markdown = summaryMarkdown(summary);
  writeFileAtomic(path.join(outDir, 'summary.md'), summary.markdown);
  writeFileAtomic(path.join(outDir, 'summary.json'), `${JSON.stringify(summaryJson(summary), null, 2)}\n`);
  return summary;
}

/** One base model of a task: workspace, (pre)training, pruning, then per mask scope init selection and protocol. */
async function runTaskUnit(
  unit: { plan: DemoTaskPlan; baseSeed: number; variant: BaseModelVariant }, several: boolean, tag: string,
  options: DemoOptions, ctx: DemoContext,
): Promise<{ result: DemoTaskResult; rows: DemoRow[]; cancelled: boolean }> {
  const { plan, baseSeed, variant } = unit;
  const { signal, line } = ctx;
  const family = TASKS[plan.task].family;
  // Sibling folders: <task>, <task>-pretrained, <task>-pruned, <task>-sparse (each a complete workspace).
  const name = variant === 'scratch' ? plan.task : `${plan.task}-${variant}`;
  const workspace = several ? path.join(ctx.outDir, name, `base-seed-${baseSeed}`) : path.join(ctx.outDir, name);
  const throttled = throttle(line, 2000);
  const onProgress = (e: ProgressEvent) => {
    ctx.onProgress?.(plan.task, e);
    throttled(`${tag} ${e.message}`, e.step === undefined);
  };

  let t = Date.now();
  line(`${tag} generating the workspace in ${workspace}`);
  const ws = writeTaskWorkspace(workspace, {
    task: plan.task, seed: baseSeed, sizes: plan.sizes, model: plan.model, imageSize: plan.imageSize,
    specSeeds: plan.seeds, mask: { ...plan.mask },
  });
  addControls(ws.spec, plan.controls, baseSeed);
  const specs = scopeSpecs(ws.spec, scopesOf(plan, variant, options), family);
  const generateMs = Date.now() - t;

  t = Date.now();
  if (variant === 'pretrained') {
    line(`${tag} self-supervised pretraining`);
    const pre = await pretrainWorkspaceModel(workspace, { seed: baseSeed, threads: ctx.threads, signal, onProgress });
    line(`${tag} pretraining loss ${pre.firstLoss.toFixed(3)} → ${pre.lastLoss.toFixed(3)}`);
  }
  const sparsity = variant === 'sparse' ? { keep: SPARSE_KEEP } : undefined;
  const how = variant === 'pretrained' ? ''
    : sparsity ? ` from scratch, keeping ${formatPercent(sparsity.keep, 0)} of every weight matrix` : ' from scratch';
  // The pruned variant starts from the scratch model: same seed, same data, so this run's copy is reused.
  const scratchKey = `${plan.task} ${baseSeed}`;
  const scratch = variant === 'pruned' ? ctx.scratchModels.get(scratchKey) : undefined;
  if (scratch) {
    line(`${tag} the base model is the scratch model of this run (${scratch.model})`);
    fs.copyFileSync(scratch.model, path.join(workspace, 'model.onnx'));
  } else {
    line(`${tag} training the base model${how} (${plan.base.epochs} epochs on ${plan.sizes.taskTrain} problems)`);
  }
  const training = scratch?.training ?? await trainBaseModel(workspace, {
    seed: baseSeed, ...plan.base, sparsity, threads: ctx.threads, signal, onProgress,
  });
  if (variant === 'scratch' && !training.cancelled) {
    ctx.scratchModels.set(scratchKey, { model: path.join(workspace, 'model.onnx'), training });
  }
  line(`${tag} base model: ${formatPercent(training.testAccuracy, 1)} on the compositional test set `
    + `(untrained ${formatPercent(training.initialAccuracy, 1)}), ${(Date.now() - t) / 1000 | 0} s`);
  let baseAccuracy = training.testAccuracy;
  let baseValidationAccuracy = training.validationAccuracy ?? null;
  let pruning: PruneResult | undefined;
  let cancelled = training.cancelled;
  if (variant === 'pruned' && !cancelled) {
    line(`${tag} pruning: one mask on the whole task (${plan.mask.epochs} epochs), keeping its own s > 0 weights`);
    try {
      pruning = await pruneModel({
        specPath: ws.spec, keep: 'mask-solution', validation: ws.task.validation,
        outPath: path.join(workspace, 'model.onnx'), seed: baseSeed, threads: ctx.threads,
      }, { signal, onProgress });
    } catch (e) {
      // pruneModel throws when stopped; a stop is a cancelled task, not a failed demo.
      if (!signal.aborted) throw e;
      cancelled = true;
    }
    if (pruning) {
      baseAccuracy = pruning.accuracyAfter;
      baseValidationAccuracy = pruning.validationAccuracy?.after ?? null;
      line(`${tag} pruned: ${pruningText(pruning)}`);
    }
  }
  const trainMs = Date.now() - t;
  const result: DemoTaskResult = {
    task: plan.task, variant, baseSeed, workspace, status: 'cancelled', training, pruning, runs: [],
    timings: { generateMs, trainMs },
  };
  const rows: DemoRow[] = [];
  if (cancelled) return { result, rows, cancelled };

  const base: DemoBase = {
    name: BASE_ARCHITECTURE[family], variant, seed: baseSeed, accuracy: baseAccuracy,
    validationAccuracy: baseValidationAccuracy, weightsKept: nonZeroFraction(path.join(workspace, 'model.onnx')),
  };
  for (const [masked, spec] of specs) {
    if (signal.aborted) break;
    const scope = masked === 'all' ? 'all weights' : `${masked}: ${SCOPE_LAYERS[masked][family].join(', ')} only`;
    const scopeTag = `${tag} (masked: ${masked})`;
    const selection = await selectMaskInit(plan, variant, baseSeed, masked, spec, workspace, scopeTag, ctx);
    if (selection === null) break;
    const subroutines = Object.keys(ws.subroutines).join(', ');
    line(`${tag} finding subnetworks, masking ${scope} (${subroutines}; seeds ${plan.seeds.join(', ')}`
      + `${plan.controls.randomInit ? '; random-init control' : ''})`);
    const done = await protocolRun(plan.task, base, masked, spec, workspace, tag, ctx);
    result.runs.push({ ...done.run, ...(selection ? { selection } : {}) });
    rows.push(...done.rows);
  }
  const unfinished = result.runs.find((r) => r.status !== 'complete')?.status;
  result.status = unfinished ?? (result.runs.length === specs.size ? 'complete' : 'cancelled');
  return { result, rows, cancelled: false };
}

/**
 * The mask scopes a base model runs: options.maskScopes when given; else the plan's scopes naming the variant,
 * or, when the variants were named in the options, every scope the plan runs.
 */
function scopesOf(plan: DemoTaskPlan, variant: BaseModelVariant, options: DemoOptions): MaskScope[] {
  if (options.maskScopes) return options.maskScopes;
  return MASK_SCOPES.filter((scope) => (options.variants
    ? plan.maskScopes[scope].length > 0 : plan.maskScopes[scope].includes(variant)));
}

/**
 * Chooses the initial mask logit of one base model and scope among plan.maskInits: per candidate, one
 * mask per subroutine (the first protocol seed, no controls) scored on its own subroutine's validation
 * set, then chooseMaskInit. Later base seeds of the same task, variant and scope take the first base
 * seed's choice (made on that base model's validation sets) instead of training 2 × 4 more masks each.
 * Writes the choice into the scope's spec. Returns undefined when there is only one candidate, null when
 * stopped.
 */
export async function selectMaskInit(
  plan: DemoTaskPlan, variant: BaseModelVariant, baseSeed: number, masked: MaskScope, specPath: string,
  workspace: string, tag: string, ctx: DemoContext,
): Promise<MaskInitSelection | undefined | null> {
  if (plan.maskInits.length < 2) return undefined;
  const key = `${plan.task} ${variant} ${masked}`;
  const earlier = ctx.selections.get(key);
  if (earlier) {
    editSpec(specPath, (spec) => { spec.mask = { ...spec.mask, init: earlier.chosen }; });
    ctx.line(`${tag} mask init ${earlier.chosen}, chosen on base seed ${earlier.baseSeed}`);
    return earlier;
  }
  const dir = path.join(path.dirname(specPath), SELECTION_SPEC_DIR);
  const trials: SelectionTrial[] = [];
  for (const init of plan.maskInits) {
    // A one-candidate search: the engine then records the mask's validation accuracy in results.json.
    const trialSpec = writeSpecCopy(specPath, dir, `init-${init}.subnet.json`, (spec) => {
      spec.mask = { ...spec.mask, init };
      spec.seeds = [plan.seeds[0]!];
      spec.controls = { ...spec.controls, randomInit: false, randomAblations: 0 };
      spec.hyperparameterSearch = { init: [init], tolerance: 0 };
    });
    ctx.line(`${tag} choosing the mask init: trying ${init}`);
    const found = await runFind({ specPath: trialSpec, workspaceRoot: workspace, threads: ctx.threads }, {
      signal: ctx.signal, onProgress: (e) => ctx.onProgress?.(plan.task, e),
    });
    if (found.status !== 'complete') return null;
    trials.push(selectionTrial(init, readResults(found.runDir)));
  }
  const chosen = chooseMaskInit(trials, SELECTION_TOLERANCE);
  editSpec(specPath, (spec) => { spec.mask = { ...spec.mask, init: chosen.init }; });
  ctx.line(`${tag} mask init ${chosen.init} (${trials.map(selectionText).join('; ')})`);
  const selection = { chosen: chosen.init, baseSeed, trials };
  ctx.selections.set(key, selection);
  return selection;
}

/** Folder, beside a scope's spec, of the mask-init selection's specs (one per candidate). */
export const SELECTION_SPEC_DIR = 'mask-init-selection';

/** One candidate init: per subroutine, its mask's accuracy on the subroutine's validation set and kept fraction. */
export interface SelectionTrial {
  init: number;
  subroutines: Record<string, { validationAccuracy: number; kept: number }>;
}

/** A base model and scope's choice of mask init, with every candidate's trial. */
export interface MaskInitSelection {
  chosen: number;
  /** The base model whose validation sets chose it (the first base seed of the task, variant and scope). */
  baseSeed: number;
  trials: SelectionTrial[];
}

/**
 * A selection run's trial: reads only the validation accuracy and kept fraction of each subroutine's
 * mask, never a test-set accuracy or score (the ablation outcome must not enter the choice).
 */
export function selectionTrial(init: number, results: ResultsFile): SelectionTrial {
  const subroutines: SelectionTrial['subroutines'] = {};
  for (const name of results.subroutineNames) {
    const seed = results.subroutines[name]!.seeds[0]!;
    subroutines[name] = { validationAccuracy: seed.training.validationAccuracy ?? 0, kept: seed.keptFraction };
  }
  return { init, subroutines };
}

/**
 * The protocol's selection rule (chooseSparsestWithin) on each trial's means over the subroutines of validation
 * accuracy and kept fraction.
 */
export function chooseMaskInit(trials: SelectionTrial[], tolerance: number): SelectionTrial {
  const mean = (t: SelectionTrial, key: 'validationAccuracy' | 'kept') => {
    const xs = Object.values(t.subroutines).map((s) => s[key]);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  return chooseSparsestWithin(trials, tolerance, (t) => ({
    validation: mean(t, 'validationAccuracy'), kept: mean(t, 'kept'),
  }));
}

const selectionText = (t: SelectionTrial) => `${t.init}: ${Object.entries(t.subroutines)
  .map(([name, s]) => `${name} val ${pct(s.validationAccuracy)} kept ${pct(s.kept)}`).join(', ')}`;

function readResults(runDir: string): ResultsFile {
  return JSON.parse(fs.readFileSync(path.join(runDir, RESULTS_FILE), 'utf8')) as ResultsFile;
}

/** summary.json: the rows and the wall time first, then the preset and every task's details. */
export function summaryJson(s: DemoSummary) {
  return {
    rows: s.rows, wallSeconds: s.totalMs / 1000, preset: s.preset, cancelled: s.cancelled, outDir: s.outDir,
    tasks: s.tasks,
  };
}

/** Base model architecture of each task family (DemoRow.base). */
const BASE_ARCHITECTURE: Record<TaskFamily, string> = { vision: 'cnn', language: 'transformer' };

/** What runDemo's steps share. */
export interface DemoContext {
  outDir: string;
  threads?: number;
  signal: AbortSignal;
  line(text: string): void;
  onProgress?(task: DemoTaskName, event: ProgressEvent): void;
  /** Trained scratch models by `task baseSeed`, which the pruned variant starts from. */
  scratchModels: Map<string, { model: string; training: BaseModelTraining }>;
  /** Mask-init choices by `task variant scope`, made on the first base seed. */
  selections: Map<string, MaskInitSelection>;
}

/** Runs the protocol on one spec and reads its rows (none when the run left no results). */
async function protocolRun(
  task: DemoTaskName, base: DemoBase, masked: MaskScope, spec: string, workspace: string, tag: string, ctx: DemoContext,
): Promise<{ run: DemoRun; rows: DemoRow[] }> {
  const throttled = throttle(ctx.line, 2000);
  const hooks: JobHooks = {
    signal: ctx.signal,
    onProgress: (e) => {
      ctx.onProgress?.(task, e);
      throttled(`${tag} ${(100 * e.fraction).toFixed(0)}% ${e.message}`, e.phase === 'evaluate');
    },
  };
  const t = Date.now();
  const found = await runFind({ specPath: spec, workspaceRoot: workspace, threads: ctx.threads }, hooks);
  const findMs = Date.now() - t;
  ctx.line(`${tag} protocol (masked: ${masked}) ${found.status} in ${(findMs / 1000).toFixed(0)} s: ${found.runDir}`);
  const run: DemoRun = { masked, spec, runDir: found.runDir, status: found.status, findMs };
  if (!fs.existsSync(path.join(found.runDir, RESULTS_FILE))) return { run, rows: [] };
  const results = readResults(found.runDir);
  return { run, rows: summaryRows(task, base, masked, results, loadSpec(spec, { workspaceRoot: workspace }).verdict) };
}

/** How every preset runs the trained controls. */
export interface ControlPlan {
  baseSeeds: number[];
  controls: DemoTaskPlan['controls'];
}

/**
 * The controls' base models are trained as in the protocol's planted tests (CONTROL_BASE_TRAINING), with
 * writeControlWorkspace's 3 mask seeds. 100 random ablations and the random-init control cost seconds on
 * these few-hundred-weight MLPs, so every preset runs them in full.
 */
export function controlPlan(preset: DemoPreset): ControlPlan {
  return { baseSeeds: preset === 'full' ? [0, 1, 2] : [0], controls: { randomInit: true, randomAblations: 100 } };
}

/** One control task on one base seed: workspace, base training, protocol with every weight masked. */
async function runControl(
  task: ControlTaskName, baseSeed: number, several: boolean, plan: ControlPlan, tag: string, ctx: DemoContext,
): Promise<{ result: DemoTaskResult; rows: DemoRow[] }> {
  const workspace = several ? path.join(ctx.outDir, task, `base-seed-${baseSeed}`) : path.join(ctx.outDir, task);
  const throttled = throttle(ctx.line, 2000);
  let t = Date.now();
  ctx.line(`${tag} generating the workspace in ${workspace}`);
  fs.rmSync(workspace, { recursive: true, force: true });
  const model = task === 'control-modular' ? streamsModel(2, baseSeed) : sharedModel(baseSeed);
  const spec = writeControlWorkspace(workspace, model, 2);
  addControls(spec, plan.controls, baseSeed);
  const generateMs = Date.now() - t;
  t = Date.now();
  ctx.line(`${tag} training the base model (${CONTROL_TASKS[task].summary})`);
  const training = await trainBaseModel(workspace, {
    seed: baseSeed, ...CONTROL_BASE_TRAINING, threads: ctx.threads, signal: ctx.signal,
    onProgress: (e) => { ctx.onProgress?.(task, e); throttled(`${tag} ${e.message}`, e.step === undefined); },
  });
  const untrained = pct(training.initialAccuracy);
  ctx.line(`${tag} base model: ${pct(training.testAccuracy)} on the task's test set (untrained ${untrained})`);
  const result: DemoTaskResult = {
    task, variant: 'scratch', baseSeed, workspace, status: 'cancelled', training, runs: [],
    timings: { generateMs, trainMs: Date.now() - t },
  };
  if (training.cancelled) return { result, rows: [] };
  const base: DemoBase = {
    name: CONTROL_TASKS[task].base, variant: 'scratch', seed: baseSeed, accuracy: training.testAccuracy,
    validationAccuracy: null, weightsKept: 1,
  };
  ctx.line(`${tag} finding subnetworks, masking all weights (random-init control)`);
  const done = await protocolRun(task, base, 'all', spec, workspace, tag, ctx);
  result.runs.push(done.run);
  result.status = done.run.status;
  return { result, rows: done.rows };
}

/**
 * Adds the demo's control settings to a generated spec: the random-init control re-initialises with a seed
 * of its own per base model (randomInitSeed), and the task's training set, which pruning uses.
 */
function addControls(specPath: string, controls: DemoTaskPlan['controls'], baseSeed: number): void {
  editSpec(specPath, (spec) => {
    spec.controls = { ...spec.controls, ...controls, randomInitSeed: randomInitSeed(baseSeed) };
    spec.task = { test: 'data/task.npz', ...spec.task, train: 'data/task_train.npz' };
  });
}

/** Rewrites a spec file in place. */
function editSpec(specPath: string, edit: (spec: SpecFile) => void): void {
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8')) as SpecFile;
  edit(spec);
  writeFileAtomic(specPath, `${JSON.stringify(spec, null, 2)}\n`);
}

/**
 * Copies a spec into `dir` as `name`, paths rebased so that they still name the same model and data, then
 * edited; returns the copy's path.
 */
function writeSpecCopy(specPath: string, dir: string, name: string, edit: (spec: SpecFile) => void): string {
  const from = path.dirname(specPath);
  const rebase = (p: string) => path.relative(dir, path.resolve(from, p)).split(path.sep).join('/');
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8')) as SpecFile;
  spec.model = rebase(spec.model);
  for (const files of Object.values(spec.subroutines)) {
    files.train = rebase(files.train);
    files.test = rebase(files.test);
    if (files.validation) files.validation = rebase(files.validation);
  }
  if (spec.task) {
    spec.task = { test: rebase(spec.task.test), ...(spec.task.train ? { train: rebase(spec.task.train) } : {}) };
  }
  edit(spec);
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, name);
  writeFileAtomic(out, `${JSON.stringify(spec, null, 2)}\n`);
  return out;
}

/**
 * The spec each scope runs: the workspace's own for `all`; for a restricted scope a copy written by
 * writeScopeSpec. A restricted scope's spec left by an earlier demo in the same folder is removed when this
 * run skips the scope, so the workspace only offers specs this run used.
 */
export function scopeSpecs(specPath: string, scopes: MaskScope[], family: TaskFamily): Map<MaskScope, string> {
  for (const [scope, dir] of Object.entries(SCOPE_SPEC_DIRS)) {
    if (scopes.includes(scope as MaskScope)) continue;
    fs.rmSync(path.join(path.dirname(specPath), dir), { recursive: true, force: true });
  }
  return new Map(scopes.map((scope) => [scope, scope === 'all' ? specPath : writeScopeSpec(specPath, scope, family)]));
}

/**
 * Copies a workspace spec into <workspace>/SCOPE_SPEC_DIRS[scope]/ with its masks restricted to the scope's
 * layers.
 */
function writeScopeSpec(specPath: string, scope: Exclude<MaskScope, 'all'>, family: TaskFamily): string {
  const dir = path.join(path.dirname(specPath), SCOPE_SPEC_DIRS[scope]);
  return writeSpecCopy(specPath, dir, path.basename(specPath), (spec) => {
    spec.mask = { ...spec.mask, include: SCOPE_LAYERS[scope][family] };
  });
}

/** Fraction of a model's maskable weights that are non-zero. */
function nonZeroFraction(modelPath: string): number {
  let nonZero = 0, total = 0;
  for (const t of readModel(modelPath).graph.initializers.values()) {
    if (!isMaskable(t)) continue;
    for (const x of t.data as Float32Array) if (x !== 0) nonZero++;
    total += t.data.length;
  }
  return total ? nonZero / total : 1;
}

/** The base model a run was made on. */
export interface DemoBase {
  /** Architecture name (DemoRow.base). */
  name: string;
  variant: BaseModelVariant;
  seed: number;
  accuracy: number;
  validationAccuracy: number | null;
  weightsKept: number;
}

/** One row per subroutine of a finished run; `verdict` holds the thresholds of the run's spec. */
export function summaryRows(
  task: DemoTaskName, base: DemoBase, masked: MaskScope, results: ResultsFile, verdict: VerdictSpec,
): DemoRow[] {
  const names = results.subroutineNames;
  const iouAll = results.overlap.matrix.iou;
  return names.map((name, i) => {
    const r = results.subroutines[name]!;
    const others = names.map((_, j) => (j === i ? null : iouAll[i]?.[j] ?? null))
      .filter((v): v is number => v !== null);
    return {
      task, base: base.name, variant: base.variant, baseSeed: base.seed, masked, subroutine: name,
      verdict: r.verdict, subnetworkScore: r.subnetworkScore, ablationScore: r.ablationScore,
      kept: r.stats.keptFraction.mean, randomInit: randomInitRow(name, results, verdict),
      verdictReason: r.verdictReason,
      family: isControlTask(task) ? 'control' : TASKS[task].family, baseAccuracy: base.accuracy,
      baseValidationAccuracy: base.validationAccuracy, baseWeightsKept: base.weightsKept,
      maskedWeights: r.seeds[0]?.total ?? null,
      overlapIoU: others.length ? others.reduce((x, y) => x + y, 0) / others.length : null,
      randomAblationP: r.randomAblation.p, randomAblationPAdjusted: r.randomAblation.pAdjusted,
      randomAblationDraws: r.randomAblation.draws,
      masks: r.seeds.map((seed) => ({
        seed: seed.seed, steps: seed.training.steps, trainAccuracy: seed.training.trainAccuracy,
        init: seed.training.hyperparameters.init,
      })),
    };
  });
}

/** The verdict rule applied to the random-init control's masks (no random ablations, so no specificity test). */
function randomInitRow(name: string, results: ResultsFile, settings: VerdictSpec): RandomInitRow | null {
  const control = results.controls.randomInit?.subroutines[name];
  if (!control) return null;
  const names = results.subroutineNames;
  const summary = summarizeSubroutine(name, control.seeds, [], names, results.chance);
  const decision = decideVerdict({ name, subroutines: names, chance: results.chance, summary, settings });
  const verdictReason = decision.gate || decision.verdict !== 'inconclusive' || control.seeds.length < 2
    ? decision.verdictReason : 'the random-init control runs no random ablations, so no specificity test';
  return {
    verdict: decision.verdict, verdictReason,
    subnetworkScore: control.subnetworkScore, ablationScore: control.ablationScore,
  };
}

const isControlTask = (task: DemoTaskName): task is ControlTaskName => task in CONTROL_TASKS;

const num = (x: number | null | undefined, d = 2) => formatNumber(x, d);
const pct = (x: number | null | undefined, d = 1) => formatPercent(x, d);

/** What the columns of summary.md mean (the paragraph above its table). */
const LEGEND = [
  'The control tasks run first: control-modular (two streams meeting only at the head) should be',
  'compositional for every subroutine, control-entangled (one shared module) for none. Scores: subnetwork',
  'score (kept subnetwork keeps its own subroutine, loses the other) > 0 and ablation score (removing it',
  'hurts its own subroutine more than the other) < 0 indicate a modular subroutine; the verdict also',
  'requires the size-matched random-ablation test. Base weights kept: non-zero share of the base model\'s',
  'maskable weights; Masked: which weights the masks cover (all: every weight matrix; post-stem: all but the',
  'first conv block / the embeddings; late: only the last conv block / encoder layer and the head; the rest',
  'intact); Kept %: the subnetwork\'s share of the masked weights; Mask steps / train acc.: optimiser steps',
  'and last-epoch train accuracy of each seed\'s mask (range over seeds); random-init S / A, verdict: masks',
  'trained on a copy of the base model with every parameter re-initialised, with a seed of its own per base',
  'model (\'off\' when the preset skips that control; no random ablations there, so at best inconclusive).',
].join(' ');

/** The summary table as Markdown, with a header naming the preset and the timings. */
export function summaryMarkdown(s: DemoSummary): string {
  const head = [
    'Task', 'Family', 'Base model', 'Base acc. (val / test)', 'Base weights kept', 'Masked', 'Subroutine',
    'Subnetwork score', 'Ablation score', 'Verdict', 'Kept %', 'IoU (A, B)', 'Random-ablation p (Holm)',
    'Mask steps / train acc.',
    'Random-init S / A, verdict', 'Why',
  ];
  const several = new Set(s.rows.map((r) => r.baseSeed)).size > 1;
  const range = (xs: (number | null)[]) => {
    const known = xs.filter((x): x is number => x !== null);
    if (!known.length) return '–';
    const [lo, hi] = [Math.min(...known), Math.max(...known)];
    return lo === hi ? num(lo) : `${num(lo)}–${num(hi)}`;
  };
  const body = s.rows.map((r) => [
    r.task, r.family, `${r.base} ${r.variant}${several ? ` (seed ${r.baseSeed})` : ''}`,
    `${pct(r.baseValidationAccuracy)} / ${pct(r.baseAccuracy)}`, pct(r.baseWeightsKept), r.masked, r.subroutine,
    num(r.subnetworkScore), num(r.ablationScore), r.verdict, pct(r.kept, 2), num(r.overlapIoU),
    `${formatPValue(r.randomAblationP)} (${formatPValue(r.randomAblationPAdjusted)})`,
    `${range(r.masks.map((m) => m.steps)).replace(/\.00/g, '')} / ${range(r.masks.map((m) => m.trainAccuracy))}`,
    r.randomInit
      ? `${num(r.randomInit.subnetworkScore)} / ${num(r.randomInit.ablationScore)}, ${r.randomInit.verdict}`
      : 'off',
    r.verdictReason.replace(/\|/g, '\\|'),
  ]);
  const table = [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const protocolText = (t: DemoTaskResult) => t.runs.map((r) => `protocol masking ${r.masked} ${seconds(r.findMs)} `
    + `(${r.status}; run: ${path.relative(s.outDir, r.runDir)})`).join(', ') || `no protocol (${t.status})`;
  const seedText = (t: DemoTaskResult) => (several ? ` (base seed ${t.baseSeed})` : '');
  const timing = s.tasks.map((t) => `- ${t.task} ${t.variant}${seedText(t)}: `
    + `generate ${seconds(t.timings.generateMs)}, base model ${seconds(t.timings.trainMs)} (${t.training.steps} steps, `
    + `${t.training.parameters.toLocaleString('en-US')} weights), ${protocolText(t)}`);
  const runs = [...new Map(s.rows.map((r) => [`${r.task} ${r.masked}`, r])).values()];
  const maskedCounts = runs.map((r) => `${r.task} ${r.masked}: ${r.maskedWeights?.toLocaleString('en-US') ?? '–'}`);
  const sameRun = (r: DemoRow, x: DemoRow) =>
    x.task === r.task && x.masked === r.masked && x.variant === r.variant && x.baseSeed === r.baseSeed;
  const subroutineCount = (r: DemoRow) => s.rows.filter((x) => sameRun(r, x)).length;
  const draws = runs.map((r) => {
    const seeds = r.masks.length;
    const m = subroutineCount(r);
    const n = r.randomAblationDraws;
    return `- ${r.task} ${r.masked}: ${n} draws × ${seeds} seeds × ${m} subroutines = ${n * seeds * m} evaluations `
      + 'of every test set per base model; smallest attainable Holm-adjusted p '
      + formatPValue(smallestAdjustedP(n, seeds, m));
  });
  const pruning = s.tasks.filter((t) => t.pruning)
    .map((t) => `- ${t.task} pruned${seedText(t)}: ${pruningText(t.pruning!)}`);
  const selections = s.tasks.flatMap((t) => t.runs.filter((r) => r.selection).map((r) => {
    const trials = r.selection!.trials.map(selectionText).join('; ');
    const sel = r.selection!;
    const where = sel.baseSeed === t.baseSeed ? `(${trials})` : `(chosen on base seed ${sel.baseSeed})`;
    return `- ${t.task} ${t.variant}${seedText(t)} ${r.masked}: init ${sel.chosen} ${where}`;
  }));
  return [
    `# Subnetwork Lens demo (${s.preset})`,
    '',
    `Total ${(s.totalMs / 1000).toFixed(0)} s${s.cancelled ? ' (cancelled: partial results)' : ''}. ${LEGEND} `
      + `Masked weights: ${maskedCounts.join('; ')}.`,
    '',
    table,
    '',
    'Random ablations (the specificity null; α = 0.05):',
    '',
    ...draws,
    '',
    ...(selections.length ? [
      `Mask init per base model and scope, chosen on the subroutines' validation sets only (mean validation accuracy `
        + `within ${SELECTION_TOLERANCE} of the best, then the fewest weights kept; per candidate: validation `
        + 'accuracy, kept):',
      '', ...selections, '',
    ] : []),
    ...(pruning.length ? ['Pruning (one mask on the whole task, its own s > 0 weights kept):', '', ...pruning, '']
      : []),
    ...timing,
    '',
  ].join('\n');
}

/**
 * The smallest Holm-adjusted specificity p a run can reach: every seed's p at its floor 1/(draws + 1),
 * combined by Fisher's method, every subroutine there, adjusted across them.
 */
export function smallestAdjustedP(draws: number, seeds: number, subroutines: number): number {
  const p = fisherCombinedP(Array.from({ length: seeds }, () => 1 / (draws + 1)))!;
  return holmAdjust(Array.from({ length: subroutines }, () => p))[0]!;
}


/** What a pruning reached: kept fraction, accuracies, and its mask's training. */
function pruningText(p: PruneResult): string {
  const v = p.validationAccuracy;
  const validation = v ? `validation accuracy ${formatPercent(v.before, 1)} → ${formatPercent(v.after, 1)}, ` : '';
  const mask = `mask ${p.maskTraining.steps} steps, train accuracy ${pct(p.maskTraining.trainAccuracy)}`;
  return `kept ${formatPercent(p.keptFraction, 2)} of the maskable weights (the mask's s > 0 solution); ${validation}`
    + `test accuracy ${formatPercent(p.accuracyBefore, 1)} → ${formatPercent(p.accuracyAfter, 1)}; ${mask}`;
}

/** A line printer that drops lines arriving within `ms` of the last one, unless `force`. */
function throttle(print: (line: string) => void, ms: number): (line: string, force?: boolean) => void {
  let last = 0;
  return (text, force = false) => {
    const now = Date.now();
    if (!force && now - last < ms) return;
    last = now;
    print(text);
  };
}
