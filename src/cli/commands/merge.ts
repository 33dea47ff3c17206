// `subnetwork-lens merge DIR`: the results of a (sharded) run from whatever work items are saved, without
// running any; says which items are missing.
import * as path from 'node:path';
import { defineCommand } from '../defineCommand';
import { shellQuote } from '../../core/runStore/shellQuote';
import type { WorkItem } from '../../shared/results';

/** At most this many missing items are named; the rest are counted. */
const SHOWN = 12;

export const merge = defineCommand({
  name: 'merge',
  summary: 'Assemble a run\'s results from the work items its shards saved; name the items still missing.',
  positional: { metavar: 'DIR', noun: 'run folder' },
  description: [
    'Rewrites DIR/results.json, results.csv, report.html and run.json from every finished work item in DIR',
    '(what `find --resume` does before it runs the missing items), e.g. after some shards of a Slurm array',
    'failed. The run becomes `complete` when no item is missing, else `cancelled` (continue it with',
    '`find SPEC --resume DIR` or by rerunning the failed shards). Refused while a shard works in DIR.',
    'Exit status 0 when the run is complete, 1 when items are missing.',
  ],
  options: {
    json: { type: 'boolean', help: 'Print {runDir, status, done, total, missing} as JSON on stdout.' },
  },
  async run({ positional: dir, values }, io) {
    const runDir = path.resolve(dir);
    const { readRunInfo } = await import('../../core/runStore/readRunInfo');
    const { readPlanRecord } = await import('../../core/runStore/planRecord');
    const { RunFolderError } = await import('../../core/runStore/RunFolderError');
    const { itemKey } = await import('../../core/runStore/RunStore');
    const { planItems, runFind } = await import('../../jobs/runFind');
    const planned = readPlanRecord(runDir);
    let specPath: string;
    try {
      specPath = readRunInfo(runDir).specPath;
    } catch (e) {
      if (!planned) throw e;
      throw new RunFolderError(`no shard of the ${planned.shards} planned has started yet: nothing to merge`, runDir);
    }
    const hooks = { signal: new AbortController().signal, onProgress() {} };
    await runFind({ specPath, resume: runDir, assembleOnly: true }, hooks);
    const run = readRunInfo(runDir);
    const done = new Set(run.done.map(itemKey));
    const missing = planItems(run.spec).filter((w) => !done.has(itemKey(w)));
    if (values.json) {
      const json = { runDir, status: run.status, done: run.done.length, total: run.total, missing };
      io.out(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      const lines = [`merged ${run.done.length} of ${run.total} work items: ${runDir} (run ${run.status})`];
      if (missing.length) {
        const more = missing.length > SHOWN ? `, … and ${missing.length - SHOWN} more` : '';
        lines.push(`missing: ${missing.slice(0, SHOWN).map(describeItem).join(', ')}${more}`);
        lines.push(`run them with: subnetwork-lens find ${shellQuote(specPath)} --resume ${shellQuote(runDir)}`);
      }
      io.out(`${lines.join('\n')}\n`);
    }
    return missing.length ? 1 : 0;
  },
});

const describeItem = (w: WorkItem) =>
  `${w.subroutine} seed ${w.seed}${w.variant === 'trained' ? '' : ` (${w.variant})`}`;
