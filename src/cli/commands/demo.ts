// `subnetwork-lens demo`: the built-in tasks end to end (the demo job).
import * as path from 'node:path';
import { UsageError } from '../command';
import { defineCommand } from '../defineCommand';
import {
  BASE_VARIANTS, MASK_SCOPES, SCOPE_LAYERS, PRUNE_LADDER, SPARSE_KEEP, summaryJson, type DemoPreset,
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
    'Then for each task: writes a ready-to-open workspace DIR/<task>/ (model.onnx, data/*.npz, <task>.subnet.json),',
    'trains the base model from scratch on the compositional task, runs the whole protocol (mask training per',
    'subroutine and seed, ablations, random-ablation null, random-init control, overlap) once with masks on all',
    'but the stem / embeddings (DIR/<task>/post-stem-layers/) and once on the last stage and head only',
    '(DIR/<task>/late-layers/), and',
    'finally prints a table of subnetwork and ablation scores, verdicts, kept fractions and overlap, also saved',
    'as DIR/summary.md with the reason of each verdict, and DIR/summary.json ({"rows": [...], "wallSeconds"}).',
    '',
    'Presets:',
    '  Every preset trains each task\'s base model in every variant (DIR/<task>, DIR/<task>-pretrained, …).',
    '  (default)  the controls, inside-contact (vision) and agreement (language), 3 seeds, random-init control.',
    '  --quick    the controls, one tiny vision task, few epochs, 2 seeds, 19 random ablations, no random-init',
    '             control, post-stem masks on every variant, late on scratch only; ≤ 2 min (used by the tests).',
    '  --full     all four tasks (inside-contact, number-contact, inside-number, agreement), three base models',
    '             per task and variant (DIR/<task>/base-seed-K/), larger data sets, 30 mask epochs, 100 random',
    '             ablations; many hours on 2 cores (estimated, not measured).',
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
        `pruned (smallest of ${PRUNE_LADDER.fractions.map((f) => 100 * f).join('/')} % of the weights that keeps `
          + `${100 * PRUNE_LADDER.retain} % of the validation`,
        `accuracy), sparse (trained keeping the top ${100 * SPARSE_KEEP} % of every weight matrix); default: all.`,
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
    const variants = listOption(values.variants, BASE_VARIANTS, 'base-model variant');
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
