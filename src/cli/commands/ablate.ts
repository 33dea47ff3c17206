// `subnetwork-lens ablate`: re-evaluate a run's saved mask under an ablation mode (the ablate job).
import * as path from 'node:path';
import { UsageError, type CliIO } from '../command';
import { defineCommand } from '../defineCommand';
import { threadsOption } from '../threadsOption';
import type { AblateMode, AblateResult, ProgressEvent } from '../../shared/jobs';
import { formatNumber, formatPercent, formatTable } from '../../core/views/format';

/** A fraction as a number under a `%` column header. */
const percentCell = (v: number | undefined) => formatNumber(v === undefined ? undefined : 100 * v, 1);

/** Progress on stderr at most once a second (random ablations can take a while). */
function throttledProgress(io: CliIO): (e: ProgressEvent) => void {
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    io.err(`[${(100 * e.fraction).toFixed(0).padStart(3)}%] ${e.message}\n`);
  };
}

const ABLATE_MODES: readonly AblateMode[] = ['zero', 'mean', 'random-reinit', 'keep-only'];

export const ablate = defineCommand({
  name: 'ablate',
  summary: 'Re-evaluate a saved subnetwork mask of a run under an ablation mode (no retraining).',
  job: 'ablate',
  positional: { metavar: 'RUN_DIR', noun: 'run folder' },
  description: [
    'Loads the mask the run saved for the subroutine and seed, applies it to the run\'s model and',
    'reports the accuracy of the intact and of the changed model on each test set. zero, mean and',
    'random-reinit remove the subnetwork (its weights set to 0, to the tensor mean, or redrawn from the',
    'tensor\'s own mean and spread); keep-only keeps only the subnetwork in the masked tensors.',
    'With --random N, N size-matched random masks (same count per tensor) give a null distribution and',
    'a one-sided p-value (share of random draws at least as damaging). The result is also saved under',
    'RUN_DIR/ablations/.',
  ],
  options: {
    subroutine: { type: 'string', metavar: 'NAME', required: true, help: 'Subroutine whose mask is used.' },
    seed: { type: 'count', metavar: 'K', default: 0, help: 'Seed of the mask (default 0).' },
    mode: {
      type: 'string', metavar: 'MODE', choices: ABLATE_MODES,
      help: 'zero (default), mean, random-reinit or keep-only.',
    },
    test: {
      type: 'string', metavar: 'LIST',
      help: 'Comma-separated test sets (subroutine names, task); default: all of the run\'s.',
    },
    random: { type: 'count', metavar: 'N', default: 0, help: 'Size-matched random ablations (default 0).' },
    threads: threadsOption,
    json: { type: 'boolean', help: 'Print the result as JSON.' },
  },
  async run({ positional: runDir, values, job }, io) {
    const mode = (values.mode ?? 'zero') as AblateMode;
    const testSets = values.test === undefined
      ? undefined
      : values.test.split(',').map((s) => s.trim()).filter(Boolean);
    if (testSets && testSets.length === 0) throw new UsageError('--test is empty', 'ablate');

    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.on('SIGINT', onSigint);
    let result: AblateResult;
    try {
      result = await job({
        runDir: path.resolve(runDir), subroutine: values.subroutine, seed: values.seed, mode, testSets,
        randomAblations: values.random, threads: values.threads,
      }, { signal: controller.signal, onProgress: throttledProgress(io) });
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (values.json) {
      io.out(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const random = result.rows.some((r) => r.pValue !== undefined);
    const table = [
      ['test set', 'examples', 'intact %', `${result.mode} %`, ...(random ? ['random %', '± sd', 'p'] : [])],
      ...result.rows.map((r) => [
        r.testSet, String(r.examples), percentCell(r.accuracyFull), percentCell(r.accuracyAblated),
        ...(random ? [percentCell(r.randomMean), percentCell(r.randomStd), formatNumber(r.pValue)] : []),
      ]),
    ];
    io.out([
      `${result.subroutine}, seed ${result.seed}: mode ${result.mode}, `
        + `subnetwork keeps ${formatPercent(result.keptFraction)} of the masked weights`,
      ...formatTable(table, [0]),
      ...(result.savedTo ? [`saved to ${result.savedTo}`] : []),
    ].join('\n') + '\n');
    return 0;
  },
});
