import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkerClient } from '../../../src/extension/WorkerClient';
import type { ProgressEvent } from '../../../src/shared/jobs';

const fixture = path.join(__dirname, 'fixtures', 'fakeWorker.ts');

function client(lines: string[] = []) {
  return new WorkerClient({
    workerPath: fixture, log: (l) => lines.push(l), execArgv: ['--import', 'tsx'], cancelGraceMs: 1000,
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('WorkerClient', () => {
  test('runs a job in a child process and returns its result with progress', async () => {
    const c = client();
    const events: ProgressEvent[] = [];
    try {
      const job = c.run('find', { specPath: 'quick', outDir: '/runs/a' }, (e) => events.push(e));
      assert.deepEqual(await job.result, { runDir: '/runs/a', status: 'complete' });
      assert.equal(events.at(-1)?.keptFraction, 0.1);
      assert.notEqual(c.pid, process.pid);
    } finally {
      c.dispose();
    }
  });

  test('starts the process with glibc\'s mmap threshold at 1 GiB, so a step\'s large temporaries are reused',
    { skip: fs.existsSync('/proc/self/environ') ? false : 'reads the child\'s environment from /proc' }, async () => {
      const c = client();
      try {
        await c.run('find', { specPath: 'quick' }).result;
        const environ = fs.readFileSync(`/proc/${c.pid}/environ`, 'utf8').split('\0');
        const expected = `MALLOC_MMAP_THRESHOLD_=${process.env['MALLOC_MMAP_THRESHOLD_'] ?? 1073741824}`;
        assert.ok(environ.includes(expected), environ.filter((e) => e.startsWith('MALLOC')).join() || 'not set');
      } finally {
        c.dispose();
      }
    });

  test('starts the process lazily, only on the first job', async () => {
    const c = client();
    try {
      assert.equal(c.pid, undefined);
      await c.run('find', { specPath: 'quick' }).result;
      assert.equal(typeof c.pid, 'number');
    } finally {
      c.dispose();
    }
  });

  test('passes an engine error across as its name and message, without a stack', async () => {
    const c = client();
    try {
      await assert.rejects(c.run('find', { specPath: 'fail' }).result, (e: Error) => {
        assert.equal(e.name, 'SpecError');
        assert.match(e.message, /field 'head' must be an object, got 3/);
        assert.doesNotMatch(e.message, /at .*\.ts:\d+/);
        return true;
      });
    } finally {
      c.dispose();
    }
  });

  test('a cancelled job that honours its signal stops within a second and keeps the process', async () => {
    const c = client();
    try {
      let seen = 0;
      const job = c.run('find', { specPath: 'slow' }, () => seen++);
      while (seen < 2) await new Promise((r) => setTimeout(r, 20));
      const pid = c.pid!;
      const t0 = Date.now();
      job.cancel();
      assert.deepEqual(await job.result, { runDir: '/nowhere', status: 'cancelled' });
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
      assert.equal(job.hardKilled, false);
      assert.ok(alive(pid));
    } finally {
      c.dispose();
    }
  });

  test('a cancelled job that ignores its signal is stopped by killing the process after the grace period', async () => {
    const lines: string[] = [];
    const c = client(lines);
    try {
      const job = c.run('find', { specPath: 'stubborn' });
      await new Promise((r) => setTimeout(r, 500));
      const pid = c.pid!;
      const t0 = Date.now();
      job.cancel();
      await assert.rejects(job.result, { name: 'AbortError' });
      const took = Date.now() - t0;
      assert.ok(took >= 900 && took < 2000, `took ${took} ms`);
      assert.equal(job.hardKilled, true);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(alive(pid), false);
      // The next job starts a fresh process.
      assert.equal((await c.run('find', { specPath: 'quick' }).result).status, 'complete');
      assert.notEqual(c.pid, pid);
    } finally {
      c.dispose();
    }
  });

  test('a crash of the process rejects the job with a readable error instead of hanging', async () => {
    const c = client();
    try {
      await assert.rejects(c.run('find', { specPath: 'crash' }).result, (e: Error) => {
        assert.equal(e.name, 'WorkerCrashedError');
        assert.match(e.message, /exit code 3/);
        return true;
      });
    } finally {
      c.dispose();
    }
  });
});

describe('WorkerClient.dispose', () => {
  test('lets a running job stop on its own (so it can mark its run) before the process goes', async () => {
    const c = client();
    let seen = 0;
    const job = c.run('find', { specPath: 'slow' }, () => seen++);
    while (seen < 2) await new Promise((r) => setTimeout(r, 20));
    const pid = c.pid!;
    c.dispose();
    await assert.rejects(job.result, { name: 'AbortError' });
    const t0 = Date.now();
    while (alive(pid) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(pid), false, 'the compute process outlived dispose by 3 s');
  });
});
