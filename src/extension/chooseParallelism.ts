// How many compute processes a Find runs (shards 0/J … J-1/J of one run folder) and with how many
// onnxruntime threads each, from the `subnetworkLens.parallelJobs` setting and the cores: J × threads ≤ cores.

/** Most processes `auto` starts: each holds the model, its datasets and an onnxruntime session. */
const AUTO_MAX_JOBS = 4;
/** `auto` gives every process at least this many threads (on 2 cores one process measured as fast as two). */
const AUTO_MIN_THREADS = 2;

export interface Parallelism {
  jobs: number;
  /** Threads per process; undefined lets onnxruntime choose (one process only). */
  threads: number | undefined;
}

/**
 * `setting`: `auto` or a number of processes (more than the cores are capped). `threads`: the threads
 * setting (0 or undefined = not set). A GPU device runs one process under `auto` (they would share it).
 */
export function chooseParallelism(
  setting: string | number, threads: number | undefined, cores: number, device = 'cpu',
): Parallelism {
  cores = Math.max(1, Math.floor(cores));
  const wanted = threads && threads > 0 ? threads : undefined;
  let jobs: number;
  if (setting === 'auto') {
    const perJob = Math.max(AUTO_MIN_THREADS, wanted ?? 0);
    jobs = device === 'cpu' ? Math.min(AUTO_MAX_JOBS, Math.floor(cores / perJob)) : 1;
  } else {
    const n = Number(setting);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`subnetworkLens.parallelJobs must be "auto" or a whole number ≥ 1, got '${setting}'`);
    }
    jobs = Math.min(n, cores);
  }
  jobs = Math.max(1, jobs);
  if (jobs === 1) return { jobs, threads: wanted };
  return { jobs, threads: wanted && jobs * wanted <= cores ? wanted : Math.floor(cores / jobs) };
}
