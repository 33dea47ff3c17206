import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import type { CliIO } from '../../../src/cli/command';
import { threadsPerJob } from '../../../src/cli/findWithJobs';
import type { RunInfo } from '../../../src/shared/results';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';
import { sameRunResults } from './sameRunResults';

const repoRoot = path.join(__dirname, '..', '..', '..');
const quiet: CliIO = { out() {}, err() {} };

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
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'find-jobs-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 3 }, { seeds: [0, 1], controls: { randomInit: true, randomAblations: 3, ablationModes: ['zero'] } });
    const single = path.join(dir, 'single');
    assert.equal(await find.run([spec, '--out', single, '--threads', '1'], quiet), 0);
    const out = path.join(dir, 'jobs');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'cli', 'main.ts'), 'find', spec, '--out', out, '--jobs', '2', '--threads', '1'], { cwd: repoRoot });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^\[job 0\] /m);
    assert.match(stderr, /^\[job 1\] /m);
    assert.match(stdout, /^run complete: /m);
    assert.equal((JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo).status, 'complete');
    sameRunResults(single, out);
  });

  test('--jobs refuses --shard and a folder that is not empty', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'find-jobs-bad-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0));
    await assert.rejects(find.run([spec, '--out', dir, '--jobs', '2', '--shard', '0/2'], quiet), /--jobs and --shard cannot be combined/);
    await assert.rejects(find.run([spec, '--out', dir, '--jobs', '2', '--threads', '1'], quiet), /--out folder is not empty/);
  });
});
