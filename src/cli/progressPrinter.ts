import type { ProgressEvent } from '../shared/jobs';
import type { CliIO } from './command';
import { formatPercent } from '../core/views/format';

/** One stderr line per work-item change and at most one per second within a work item. */
export function progressPrinter(io: CliIO): (e: ProgressEvent) => void {
  let last = 0;
  let lastKey = '';
  return (e) => {
    const now = Date.now();
    const key = `${e.subroutine}/${e.seed}/${e.phase}`;
    const final = e.step !== undefined && e.step === e.steps;
    if (key === lastKey && now - last < 1000 && !final && e.phase === 'train-mask') return;
    last = now;
    lastKey = key;
    const parts = [`[${(100 * e.fraction).toFixed(0).padStart(3)}%]`, e.message];
    if (e.loss !== undefined) parts.push(`loss ${e.loss.toFixed(4)}`);
    if (e.keptFraction !== undefined) parts.push(`kept ${formatPercent(e.keptFraction)}`);
    if (e.beta !== undefined) parts.push(`β ${e.beta.toFixed(1)}`);
    io.err(`${parts.join('  ')}\n`);
  };
}
