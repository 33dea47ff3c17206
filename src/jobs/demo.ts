// The demo job: the built-in tasks end to end (runDemo), with the job hooks as its signal, log lines and
// progress.
import type { JobHooks } from '../shared/jobs';
import { runDemo, type DemoOptions, type DemoSummary } from './runDemo';

export type DemoJobOptions = Omit<DemoOptions, 'signal' | 'onLine' | 'onProgress'>;

export function demo(options: DemoJobOptions, hooks: JobHooks): Promise<DemoSummary> {
  return runDemo({
    ...options,
    signal: hooks.signal,
    onLine: (line) => hooks.onLog?.(line),
    onProgress: (_task, event) => hooks.onProgress(event),
  });
}
