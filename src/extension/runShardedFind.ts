// A find as J compute processes, shards 0/J … J-1/J of one run folder, behind one JobHandle (what the job
// queue shows and cancels): the processes' progress becomes one stream, Cancel reaches every process, a
// failure in one stops the others, and the outcome is what run.json says once all have ended.
import * as path from 'node:path';
import { peekRunInfo } from '../core/runStore/readRunInfo';
import type { FindOptions, FindResult, ProgressEvent } from '../shared/jobs';
import { isCancellation } from './userMessage';
import type { JobHandle, WorkerClient } from './WorkerClient';

/**
 * Every event of shard k carries the run's fraction as that shard saw it: (items saved by all shards when it
 * last finished one + its own current item's share) / items. Combined: the most items any shard has seen
 * saved, plus every shard's current share. Until run.json gives the item count, the largest fraction.
 */
function combine(last: (ProgressEvent | undefined)[], total: number | undefined): number {
  const events = last.filter((e): e is ProgressEvent => !!e);
  if (!total) return Math.max(0, ...events.map((e) => e.fraction));
  const share = (e: ProgressEvent) => (e.phase === 'train-mask' && e.steps ? Math.min(1, (e.step ?? 0) / e.steps) : 0);
  const saved = Math.max(0, ...events.map((e) => Math.round(e.fraction * total - share(e))));
  return Math.min(1, (saved + events.reduce((s, e) => s + share(e), 0)) / total);
}

export function runShardedFind(
  workers: readonly Pick<WorkerClient, 'run'>[],
  options: FindOptions,
  threads: number,
  onProgress: (event: ProgressEvent) => void,
): JobHandle<FindResult> {
  const runDir = path.resolve(options.resume ?? options.outDir!);
  const count = workers.length;
  const last: (ProgressEvent | undefined)[] = new Array(count);
  let total: number | undefined;
  const report = (index: number, event: ProgressEvent) => {
    last[index] = event;
    total ??= peekRunInfo(runDir)?.total;
    const message = `process ${index + 1}/${count}: ${event.message}`;
    onProgress({ ...event, fraction: combine(last, total), message });
  };
  const handles = workers.map((w, index) =>
    w.run('find', { ...options, shard: { index, count }, threads }, (e) => report(index, e)));
  let stopping = false;
  const stopAll = () => {
    stopping = true;
    for (const h of handles) h.cancel();
  };
  for (const h of handles) {
    h.result.catch((e: unknown) => {
      if (!stopping && !isCancellation(e)) stopAll();
    });
  }
  const result = Promise.allSettled(handles.map((h) => h.result)).then((outcomes): FindResult => {
    const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    const failure = errors.find((e) => !isCancellation(e));
    if (failure) throw failure;
    const run = peekRunInfo(runDir);
    if (run?.status === 'complete') return { runDir, status: 'complete', itemsLeft: 0 };
    if (errors.length) throw errors[0];
    return { runDir, status: 'cancelled', itemsLeft: run ? run.total - run.done.length : undefined };
  });
  return {
    id: handles[0]!.id,
    result,
    cancel: stopAll,
    get hardKilled() {
      return handles.some((h) => h.hardKilled);
    },
  };
}
