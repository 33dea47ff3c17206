// `find --jobs J`: J processes of this CLI, each running shard k/J of one run folder with
// cores / J onnxruntime threads; the last one to finish an item writes the results.
import { spawn, type ChildProcess } from 'node:child_process';
import { computeProcessEnv } from '../core/util/computeProcessEnv';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError, type CliIO } from './command';
import { cliCommand } from './cliCommand';

export interface JobsOptions {
  specPath: string;
  /** The run folder, new (`--out`) or resumed. */
  runDir: string;
  resume: boolean;
  jobs: number;
  threads?: number;
  /** Passed through to every job as given (--seeds, --device). */
  passThrough: string[];
}

/** Threads per job so that jobs × threads ≤ cores; a UsageError when that cannot hold. */
export function threadsPerJob(jobs: number, threads: number | undefined, cores: number): number {
  if (jobs > cores) throw new UsageError(`--jobs ${jobs} exceeds the ${cores} cores here`, 'find');
  if (threads === undefined || threads === 0) return Math.max(1, Math.floor(cores / jobs));
  if (jobs * threads > cores) {
    throw new UsageError(`--jobs ${jobs} × --threads ${threads} exceeds the ${cores} cores here`, 'find');
  }
  return threads;
}

/** Runs the jobs to their end; resolves to each job's exit code. SIGINT/SIGTERM/SIGHUP are passed on. */
export async function findWithJobs(o: JobsOptions, io: CliIO): Promise<(number | null)[]> {
  const threads = threadsPerJob(o.jobs, o.threads, os.availableParallelism());
  const [exe, ...prefix] = cliCommand();
  const children: ChildProcess[] = [];
  let stopped = false;
  const forward = (signal: NodeJS.Signals) => {
    stopped = true;
    for (const c of children) if (c.exitCode === null) c.kill(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  try {
    return await Promise.all(Array.from({ length: o.jobs }, (_, k) => new Promise<number | null>((resolve) => {
      const args = [
        ...prefix, 'find', o.specPath, o.resume ? '--resume' : '--out', path.resolve(o.runDir),
        '--shard', `${k}/${o.jobs}`, '--threads', String(threads), ...o.passThrough,
      ];
      // Its own process group: a terminal's Ctrl-C reaches the job once, through forward().
      const child = spawn(exe!, args, {
        stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: computeProcessEnv(process.env),
      });
      children.push(child);
      let pending = '';
      child.stderr!.on('data', (d: Buffer) => {
        const lines = (pending + d.toString()).split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line) io.err(`[job ${k}] ${line}\n`);
      });
      child.on('exit', (code) => {
        if (pending) io.err(`[job ${k}] ${pending}\n`);
        // A job stopped by a signal we passed on before it could handle it is cancelled, not failed.
        resolve(code ?? (stopped ? 130 : null));
      });
    })));
  } finally {
    for (const s of signals) process.off(s, forward);
  }
}
