// `subnetwork-lens demo`: the built-in tasks end to end (the demo job).
import * as path from 'node:path';
import { UsageError } from '../command';
import { defineCommand } from '../defineCommand';
import {
  BASE_MODEL_VARIANTS, MASK_SCOPES, SCOPE_LAYERS, SPARSE_KEEP, summaryJson, type DemoPreset,
} from '../../jobs/runDemo';
import { DEMO_TASK_NAMES, type DemoTaskName } from '../../core/tasks/taskCatalog';

export const demo = defineCommand({
  name: 'demo',
  summary: 'Generate the built-in compositional tasks, train base models, find their subnetworks '
    + 'and print a summary table.',
  job: 'demo',
  description: [
    'First the two trained controls: control-modular (two MLP streams meeting only at the head, trained end to',
    'end on a two-subroutine task; every subroutine should be compositional) and control-entangled (the same',
    'task through one shared module; none should), DIR/control-*/, 3 mask seeds, 100 random ablations.',
    'Then for each task and base model: writes a ready-to-open workspace DIR/<task>/ (model.onnx, data/*.npz,',
    '<task>.subnet.json), trains the base model, and per mask scope (post-stem: DIR/<task>/post-stem-layers/,',
    'late: DIR/<task>/late-layers/) chooses the initial mask logit among 0.1, 0.05, 0, -0.05 on the',
    "subroutines' validation sets (accuracy, then sparsity; never an ablation), then runs the whole protocol",
    '(mask training per subroutine and seed, ablations, random-ablation null, random-init control with a seed',
    'per base model, overlap). Finally prints a table of subnetwork and ablation scores, verdicts, kept',
    'fractions, mask steps and train accuracy, also saved as DIR/summary.md with the reason of each verdict,',
    'and DIR/summary.json ({"rows": [...], "wallSeconds"}).',
    '',
    'Presets (sized for a 2-core machine):',
    '  (default)  the controls, number-contact (scratch) and agreement (scratch, pretrained), late masks,',
    '             40 mask epochs, 3 seeds, random-init control, 20 random ablations; ≤ 15 min.',
    '  --quick    the controls, one tiny vision task on every variant, post-stem masks of 50 steps, two',
    '             candidate inits, 2 seeds, 19 random ablations; ≤ 2 min (used by the tests).',
    '  --full     the controls on 3 base seeds, then the three vision tasks (scratch) and agreement (every',
    '             variant), 3 base models each (DIR/<task>/base-seed-K/), late masks; the mask init is chosen',
    '             on base seed 0 of each task and variant; about 1.5 h on 2 cores.',
  ],
  options: {
    out: {
      type: 'string', metavar: 'DIR',
      help: 'Output folder (default ./demo-workspace). Existing task folders are regenerated.',
    },
    quick: { type: 'boolean', help: 'The quick preset (see Presets); excludes --full.' },
    full: { type: 'boolean', help: 'The full preset (see Presets); excludes --quick.' },
    task: {
      type: 'string', metavar: 'NAME', multiple: true,
      help: `Only this task (repeatable; controls too): ${DEMO_TASK_NAMES.join(', ')}.`,
    },
    variants: {
      type: 'string', metavar: 'LIST',
      help: [
        'Base models to compare, comma-separated: scratch, pretrained (self-supervised first),',
        'pruned (one mask trained on the whole task, its own s > 0 weights kept), sparse (trained keeping the',
        `top ${100 * SPARSE_KEEP} % of every weight matrix); default: the preset's.`,
      ],
    },
    'base-models': {
      type: 'count', metavar: 'N', min: 1,
      help: 'Train N base models per task (seeds 0…N-1, DIR/<task>/base-seed-K/); default 1 (--full: 3).',
    },
    masked: {
      type: 'string', metavar: 'LIST',
      help: [
        'Mask scopes to run, comma-separated, each on every variant: all (every weight matrix),',
        ...(['post-stem', 'late'] as const).map((scope) => {
          const { vision, language } = SCOPE_LAYERS[scope];
          return `${scope} (vision ${vision.join(' ')}; language ${language.join(' ')});`;
        }),
        "default: the preset's (post-stem, late).",
      ],
    },
    threads: { type: 'count', metavar: 'N', help: 'onnxruntime threads (default: one per core).' },
    json: { type: 'boolean', help: 'Print summary.json instead of the Markdown table at the end.' },
  },
  async run({ values, job }, io) {
    if (values.quick && values.full) throw new UsageError('--quick and --full exclude each other', 'demo');
    const preset: DemoPreset = values.quick ? 'quick' : values.full ? 'full' : 'default';
    const threads = values.threads || undefined;
    const baseModels = values['base-models'];
    const baseSeeds = baseModels === undefined ? undefined : Array.from({ length: baseModels }, (_, i) => i);
    const variants = listOption(values.variants, BASE_MODEL_VARIANTS, 'base-model variant');
    const maskScopes = listOption(values.masked, MASK_SCOPES, 'mask scope');
    const tasks = values.task;
    const unknown = tasks?.find((t) => !(DEMO_TASK_NAMES as string[]).includes(t));
    if (unknown) throw new UsageError(`unknown task '${unknown}' (built-in: ${DEMO_TASK_NAMES.join(', ')})`, 'demo');
    const outDir = path.resolve(values.out ?? 'demo-workspace');

    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      io.err('\nstopping after the current step (Ctrl+C again to quit at once)…\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const started = Date.now();
    const clock = () => {
      const s = Math.floor((Date.now() - started) / 1000);
      return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    };
    try {
      io.err(`subnetwork-lens demo (${preset}) → ${outDir}\n`);
      const summary = await job({
        outDir, preset, threads,
        ...(tasks ? { tasks: tasks as DemoTaskName[] } : {}),
        ...(baseSeeds ? { baseSeeds } : {}),
        ...(variants ? { variants } : {}),
        ...(maskScopes ? { maskScopes } : {}),
      }, {
        signal: controller.signal, onProgress: () => {}, onLog: (line) => io.err(`${clock()} ${line}\n`),
      });
      if (values.json) {
        io.out(`${JSON.stringify(summaryJson(summary), null, 2)}\n`);
      } else {
        io.out(`\n${summary.markdown}\nWritten: ${path.join(outDir, 'summary.md')}\n`);
      }
      return summary.cancelled || summary.tasks.some((t) => t.status !== 'complete') ? 1 : 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
});

/** A comma-separated option's values, each checked against `allowed`. */
function listOption<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] | undefined {
  const items = value?.split(',').map((v) => v.trim());
  const bad = items?.find((v) => !(allowed as readonly string[]).includes(v));
  if (bad !== undefined) throw new UsageError(`unknown ${what} '${bad}' (choose from ${allowed.join(', ')})`, 'demo');
  return items as T[] | undefined;
}
