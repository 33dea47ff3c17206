import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import { threadsPerJob } from '../../../src/cli/findWithJobs';
import { sameRunResults } from './sameRunResults';
import { plantedWorkspace, quiet, readRunInfo, runCli, spawnCli } from './scaleHelpers';

describe('threadsPerJob', () => {
  test('splits the cores among the jobs and refuses more than the cores hold', () => {
    assert.equal(threadsPerJob(2, undefined, 8), 4);
    assert.equal(threadsPerJob(3, 0, 8), 2);
    assert.equal(threadsPerJob(2, 2, 4), 2);
    assert.throws(() => threadsPerJob(2, 3, 4), /--jobs 2 × --threads 3 exceeds the 4 cores here/);
    assert.throws(() => threadsPerJob(5, undefined, 4), /--jobs 5 exceeds the 4 cores here/);
  });
});

describe('find --jobs', () => {
  test('two worker processes fill one folder with the one-process results', async (t) => {
    if (os.availableParallelism() < 2) return t.skip('needs 2 cores');
    const { dir, spec } = plantedWorkspace('find-jobs-');
    const single = path.join(dir, 'single');
    assert.equal(await find.run([spec, '--out', single, '--threads', '1'], quiet), 0);
    const out = path.join(dir, 'jobs');
    const { code, stdout, stderr } = await runCli(['find', spec, '--out', out, '--jobs', '2', '--threads', '1']);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^\[job 0\] /m);
    assert.match(stderr, /^\[job 1\] /m);
    assert.match(stdout, /^run complete: /m);
    assert.equal(readRunInfo(out).status, 'complete');
    sameRunResults(single, out);
  });

  test('SIGTERM to the parent reaches every job; the run ends cancelled and resumable', async (t) => {
    if (os.availableParallelism() < 2) return t.skip('needs 2 cores');
    const { dir, spec } = plantedWorkspace('find-jobs-term-', { epochs: 300 });
    const out = path.join(dir, 'jobs');
    const child = spawnCli(['find', spec, '--out', out, '--jobs', '2', '--threads', '1']);
    let stderr = '', stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
        if (/^\[job 0\] .*step \d+\//m.test(stderr) && /^\[job 1\] .*step \d+\//m.test(stderr) && !child.killed) {
          child.kill('SIGTERM');
        }
      });
      child.on('exit', resolve);
    });
    assert.equal(code, 130, stderr);
    assert.match(stderr, /^\[job 0\] SIGTERM: stopping after the current step/m);
    assert.match(stderr, /^\[job 1\] SIGTERM: stopping after the current step/m);
    assert.match(stdout, /^resume with: subnetwork-lens find SPEC --resume /m);
    assert.equal(readRunInfo(out).status, 'cancelled');
  });

  test('--jobs refuses --shard and a folder that is not empty', async () => {
    const { dir, spec } = plantedWorkspace('find-jobs-bad-');
    const jobs = [spec, '--out', dir, '--jobs', '2'];
    await assert.rejects(find.run([...jobs, '--shard', '0/2'], quiet), /--jobs and --shard cannot be combined/);
    await assert.rejects(find.run([...jobs, '--threads', '1'], quiet), /--out folder is not empty/);
  });
});
