// One line describing a progress event, for the notification and the status bar.
import type { ProgressEvent } from '../shared/jobs';

const PHASE: Record<NonNullable<ProgressEvent['phase']>, string> = {
  generate: 'generating data',
  pretrain: 'pre-training',
  'train-base': 'training the base model',
  'train-mask': 'training mask',
  evaluate: 'evaluating',
  controls: 'controls',
  overlap: 'overlap',
  report: 'report',
};

function number(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1000 || a < 1e-3 ? x.toExponential(2) : x.toPrecision(3);
}

export function progressText(e: ProgressEvent): string {
  const parts: string[] = [];
  const message = e.message ?? '';
  // The engine's message often already names the subroutine and step: do not repeat them.
  const where = [e.subroutine, e.seed !== undefined ? `seed ${e.seed}` : undefined].filter(Boolean).join(' ');
  if (where && !(e.subroutine && message.includes(e.subroutine))) parts.push(where);
  if (e.phase && !message) parts.push(PHASE[e.phase]);
  if (message) parts.push(message);
  if (e.step !== undefined && !/\bstep\b/i.test(message)) {
    parts.push(e.steps ? `step ${e.step}/${e.steps}` : `step ${e.step}`);
  }
  if (e.loss !== undefined && Number.isFinite(e.loss)) parts.push(`loss ${number(e.loss)}`);
  if (e.accuracy !== undefined && Number.isFinite(e.accuracy)) parts.push(`acc ${(100 * e.accuracy).toFixed(1)} %`);
  if (e.keptFraction !== undefined && Number.isFinite(e.keptFraction)) {
    parts.push(`kept ${(100 * e.keptFraction).toFixed(e.keptFraction < 0.1 ? 2 : 1)} %`);
  }
  return parts.join(' · ');
}
