// The environment of the processes that train and evaluate: the extension's compute process and the jobs
// of `find --jobs`.

/**
 * glibc's allocator maps every allocation above its threshold (adaptive, at most 32 MiB) afresh and unmaps
 * it on free, so each of a training step's large temporaries (a mask's gate, a weight's gradient: 45 MB
 * apiece on ResNet-18) costs a page fault per 4 KiB on every step. A threshold of 1 GiB keeps them in the
 * heap for reuse. Other C libraries ignore the variable; a value already in `base` wins.
 */
const MALLOC_MMAP_THRESHOLD = String(1 << 30);

export function computeProcessEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { MALLOC_MMAP_THRESHOLD_: MALLOC_MMAP_THRESHOLD, ...base };
}
