// `subnetwork-lens find`: the whole protocol of a spec into a run folder (the find job).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, type CliIO } from '../command';
import { defineCommand } from '../defineCommand';
import { progressPrinter } from '../progressPrinter';
import { formatNumber, formatPValue, formatTable } from '../../core/views/format';
import type { FindOptions, FindResult, Shard } from '../../shared/jobs';
import { DEVICES } from '../../core/runtime/resolveExecutionProvider';
import { peekRunInfo } from '../../core/runStore/readRunInfo';
import { RESULTS_FILE, RUNS_DIR, type ResultsFile } from '../../shared/results';
import type { Job } from '../../jobs/jobMap';

export const find = defineCommand({
  name: 'find',
  summary: 'Train one mask per subroutine of a task spec, ablate, run the controls and save a run folder.',
  job: 'find',
  positional: { metavar: 'SPEC.subnet.json', noun: 'task spec (*.subnet.json)' },
  description: [
    'Runs the structural-compositionality protocol of the spec: per subroutine and seed a trained mask,',
    'the subnetwork and ablation conditions on every test set, random ablations and the other controls.',
    'Progress goes to stderr; Ctrl-C, SIGTERM or SIGHUP stop within one training step and mark the run',
    'cancelled (continue it later with --resume). Prints a summary per subroutine and the run folder.',
    'run.json records sha256 hashes of the spec, the model and every dataset; --resume refuses a run whose',
    'inputs changed. One process per folder, except shards of one run.',
  ],
  options: {
    out: {
      type: 'string', metavar: 'DIR',
      help: 'Run folder (default: .subnetwork-lens/runs/<id> next to the spec); must be empty.',
    },
    shard: {
      type: 'string', metavar: 'K/N',
      help: [
        'Run work items K, K+N, K+2N, … (0 ≤ K < N) into --out, beside the other shards; the',
        'shard that finishes the last item writes the results (see `subnetwork-lens plan`).',
      ],
    },
    seeds: { type: 'string', metavar: 'LIST', help: 'Comma-separated seeds, overriding the spec\'s.' },
    threads: {
      type: 'count', metavar: 'N',
      help: 'onnxruntime intra-op threads (0 = one per core; with --jobs, cores / J).',
    },
    jobs: {
      type: 'count', metavar: 'J', default: 1,
      help: 'J processes over the work items (shards 0/J … J-1/J of one folder); J × threads ≤ cores.',
    },
    device: {
      type: 'string', metavar: 'D', choices: DEVICES,
      help: [
        'Execution provider: cpu (default), cuda, dml, coreml, webgpu, or auto (the first GPU',
        'provider this machine has, else cpu). A missing provider is an error, never a fallback.',
      ],
    },
    resume: {
      type: 'string', metavar: 'DIR',
      help: 'Continue a cancelled or crashed run in DIR (or assemble a sharded run\'s results).',
    },
    json: { type: 'boolean', help: 'Print {runDir, status, results, summary} as JSON on stdout.' },
  },
  async run({ positional: specFile, values, job }, io) {
    if (values.out && values.resume) {
      throw new UsageError('--out and --resume cannot be combined (a resumed run stays in its folder)', 'find');
    }
    const seeds = values.seeds === undefined ? undefined : parseIntList(values.seeds, '--seeds');
    const { threads, jobs } = values;
    const shard = values.shard === undefined ? undefined : parseShard(values.shard);
    const device = values.device as FindOptions['device'];
    if (shard && !values.out && !values.resume) {
      throw new UsageError('--shard needs --out DIR (the folder all shards share)', 'find');
    }
    const specPath = path.resolve(specFile);
    if (jobs > 1 && shard) {
      throw new UsageError('--jobs and --shard cannot be combined (--jobs J runs shards 0/J … J-1/J itself)', 'find');
    }
    const passThrough = [...(values.seeds ? ['--seeds', values.seeds] : []), ...(device ? ['--device', device] : [])];
    const result = jobs > 1
      ? await runJobs({ specPath, out: values.out, resume: values.resume, jobs, threads, passThrough }, io)
      : await runHere(job, {
        specPath,
        outDir: values.out === undefined ? undefined : path.resolve(values.out),
        resume: values.resume === undefined ? undefined : path.resolve(values.resume),
        seeds, threads, shard, device,
      }, io);
    const resultsPath = path.join(result.runDir, RESULTS_FILE);
    const results = readResults(resultsPath);
    const summary = results ? summarize(results) : [];
    if (values.json) {
      const { runDir, status, itemsLeft = 0 } = result;
      const json = { runDir, status, itemsLeft, results: results ? resultsPath : null, summary };
      io.out(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      io.out(formatSummary(result, summary));
    }
    return result.status === 'complete' ? 0 : 130;
  },
});

/** The run in this process; the first stop signal aborts after the current step, a second one exits at once. */
async function runHere(find: Job<'find'>, options: FindOptions, io: CliIO): Promise<FindResult> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    const again = signal === 'SIGINT' ? 'Ctrl-C' : 'the signal';
    io.err(`\n${signal}: stopping after the current step (${again} again to quit at once)…\n`);
    controller.abort();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  try {
    return await find(options, { signal: controller.signal, onProgress: progressPrinter(io) });
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}

/** `--jobs J`: J shard processes into one folder; the outcome is what run.json says when all have ended. */
async function runJobs(
  o: { specPath: string; out?: string; resume?: string; jobs: number; threads?: number; passThrough: string[] },
  io: CliIO,
): Promise<FindResult> {
  const { specPath, out, resume } = o;
  const { loadSpec } = await import('../../core/data/loadSpec');
  const { runId } = await import('../../jobs/runFind');
  const { assertNewRunFolder } = await import('../../core/runStore/RunStore');
  const { findWithJobs } = await import('../findWithJobs');
  const runDir = path.resolve(resume ?? out ?? path.join(loadSpec(specPath).workspaceRoot, RUNS_DIR, runId()));
  if (!resume) assertNewRunFolder(runDir);
  const codes = await findWithJobs({ ...o, runDir, resume: resume !== undefined }, io);
  const failed = codes.map((c, k) => [k, c] as const).filter(([, c]) => c !== 0 && c !== 130);
  if (failed.length) {
    throw new Error(`${failed.map(([k, c]) => `job ${k} failed (exit code ${c})`).join(', ')}; its messages are above`);
  }
  const run = peekRunInfo(runDir);
  const complete = run?.status === 'complete';
  const itemsLeft = run && !complete ? run.total - run.done.length : 0;
  return { runDir, status: complete ? 'complete' : 'cancelled', itemsLeft };
}

/** Signals that stop a run cleanly: Ctrl-C, `kill`/scancel (SIGTERM) and a closed terminal (SIGHUP). */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** `K/N` with 0 ≤ K < N. */
function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]), count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) {
    throw new UsageError(`--shard must be K/N with 0 ≤ K < N (e.g. 0/4), got '${text}'`, 'find');
  }
  return { index, count };
}

interface SummaryRow {
  subroutine: string;
  subnetworkScore: number | null;
  ablationScore: number | null;
  verdict: string;
  /** Mean kept fraction over seeds, in [0, 1]. */
  keptFraction: number | null;
  /** Specificity p (Fisher over seeds) and after Holm's correction across subroutines. */
  p: number | null;
  pAdjusted: number | null;
  seeds: number;
  /** The rule that decided the verdict (for `uninformative`: the gate). */
  reason: string;
}

function summarize(results: ResultsFile): SummaryRow[] {
  return results.subroutineNames.map((name) => {
    const r = results.subroutines[name];
    return {
      subroutine: name,
      subnetworkScore: r?.subnetworkScore ?? null,
      ablationScore: r?.ablationScore ?? null,
      verdict: r?.verdict ?? 'inconclusive',
      keptFraction: r?.stats.keptFraction.mean ?? null,
      p: r?.randomAblation.p ?? null,
      pAdjusted: r?.randomAblation.pAdjusted ?? null,
      seeds: r?.seeds.length ?? 0,
      reason: r?.verdictReason ?? 'no seed has finished',
    };
  });
}

function formatSummary(result: FindResult, rows: SummaryRow[]): string {
  const table = [
    ['subroutine', 'subnetwork', 'ablation', 'verdict', 'kept %', 'p', 'p (Holm)', 'seeds'],
    ...rows.map((r) => [
      r.subroutine, formatNumber(r.subnetworkScore), formatNumber(r.ablationScore), r.verdict,
      formatNumber(r.keptFraction === null ? null : 100 * r.keptFraction, 2),
      formatPValue(r.p), formatPValue(r.pAdjusted),
      String(r.seeds),
    ]),
  ];
  const left = result.itemsLeft ?? 0;
  if (result.status === 'complete' && left > 0) {
    return `shard done: ${result.runDir} (${left} work items left to the other shards)\n`;
  }
  const reasons = rows.map((r) => `  ${r.subroutine}: ${r.reason}`);
  const lines = [`run ${result.status}: ${result.runDir}`, ...formatTable(table), ...reasons];
  if (result.status === 'cancelled') lines.push(`resume with: subnetwork-lens find SPEC --resume ${result.runDir}`);
  return `${lines.join('\n')}\n`;
}



function readResults(file: string): ResultsFile | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ResultsFile;
  } catch {
    return null;
  }
}

function parseIntList(text: string, option: string): number[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0 || items.some((s) => !/^\d+$/.test(s))) {
    throw new UsageError(`${option} must be comma-separated non-negative integers, got '${text}'`);
  }
  return items.map(Number);
}

