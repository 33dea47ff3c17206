import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import { plan } from '../../../src/cli/commands/plan';
import type { CliIO } from '../../../src/cli/command';
import type { RunInfo } from '../../../src/shared/results';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';
import { sameRunResults } from './sameRunResults';
import { PARTITION, startSlurmCluster, type SlurmCluster } from './slurmCluster';

const repoRoot = path.join(__dirname, '..', '..', '..');
const quiet: CliIO = { out() {}, err() {} };

describe('plan --slurm', () => {
  test('writes a job array of N tasks, each one shard into DIR, logs in DIR/logs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-slurm-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 2 });
    const out = path.join(dir, 'run dir');
    let printed = '';
    assert.equal(await plan.run([spec, '--shards', '3', '--out', out, '--slurm', '--partition', 'gpu', '--gpus', '1', '--time', '1-02:00:00', '--cpus', '4', '--command', 'subnetwork-lens'], { out: (t) => { printed += t; }, err() {} }), 0);
    const script = fs.readFileSync(path.join(out, 'slurm.sbatch'), 'utf8');
    for (const line of ['#SBATCH --array=0-2', '#SBATCH --cpus-per-task=4', '#SBATCH --partition=gpu', '#SBATCH --time=1-02:00:00', '#SBATCH --gres=gpu:1', `#SBATCH '--output=${out}/logs/shard-%a.out'`]) {
      assert.ok(script.split('\n').includes(line), `${line} in\n${script}`);
    }
    assert.match(script, new RegExp(`^exec subnetwork-lens find ${spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --out '${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' --shard "\\$SLURM_ARRAY_TASK_ID/3" --threads 4$`, 'm'));
    assert.ok(fs.statSync(path.join(out, 'logs')).isDirectory());
    assert.match(printed, /3 shards of 6 work items: .*slurm\.sbatch\nsubmit with: sbatch '/);
    assert.equal(spawnSync('bash', ['-n', path.join(out, 'slurm.sbatch')]).status, 0, 'bash parses the script');
  });

  test('refuses a malformed time limit or partition, and needs exactly one of --slurm and --k8s', async () => {
    await assert.rejects(plan.run(['x.subnet.json', '--shards', '2', '--out', 'd'], quiet), /exactly one of --slurm and --k8s/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-bad-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0));
    await assert.rejects(plan.run([spec, '--shards', '2', '--out', path.join(dir, 'r'), '--slurm', '--time', '2h'], quiet), /--time must be a Slurm time limit/);
    await assert.rejects(plan.run([spec, '--shards', '2', '--out', path.join(dir, 'r'), '--slurm', '--partition', 'a;rm'], quiet), /--partition must be a partition name/);
  });
});

/**
 * Submits the script and polls the job (sbatch --wait polls at up to 32 s intervals); returns each array
 * task's `STATE EXITCODE`, ordered by task id.
 */
async function runToEnd(cluster: SlurmCluster, script: string): Promise<string[]> {
  const submitted = spawnSync('sbatch', ['--parsable', script], { encoding: 'utf8', env: cluster.env, cwd: repoRoot });
  assert.equal(submitted.status, 0, submitted.stderr);
  const jobId = submitted.stdout.trim().split(';')[0]!;
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    const shown = spawnSync('scontrol', ['show', 'job', '-o', jobId], { encoding: 'utf8', env: cluster.env });
    const tasks = shown.stdout.trim().split('\n').filter(Boolean).map((line) => ({
      task: Number(/ArrayTaskId=(\d+)/.exec(line)?.[1] ?? -1),
      state: /JobState=(\S+)/.exec(line)?.[1] ?? '?',
      exit: /ExitCode=(\S+)/.exec(line)?.[1] ?? '?',
    }));
    const ended = tasks.length > 0 && tasks.every((x) => x.task >= 0 && !['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING'].includes(x.state));
    if (ended) return tasks.sort((a, b) => a.task - b.task).map((x) => `${x.state} ${x.exit}`);
  }
  assert.fail(`job ${jobId} did not end within 180 s`);
}

describe('plan --slurm on a one-node Slurm cluster', () => {
  let cluster: SlurmCluster | string = 'not started';
  before(async () => { cluster = await startSlurmCluster(); });
  after(async () => { if (typeof cluster !== 'string') await cluster.stop(); });

  test('sbatch of the written array (4 shards) reproduces the one-process run', async (t) => {
    if (typeof cluster === 'string') {
      // CI installs Slurm (.ci/run): there a cluster that cannot start is a failure, not a skip.
      if (process.env.CI === 'true') assert.fail(`Slurm cluster did not start: ${cluster}`);
      t.skip(`no Slurm cluster: ${cluster}`);
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-run-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 3 }, { seeds: [0, 1], controls: { randomInit: true, randomAblations: 3, ablationModes: ['zero', 'mean'] } });
    const single = path.join(dir, 'single');
    const tSingle = Date.now();
    assert.equal(await find.run([spec, '--out', single, '--threads', '1'], quiet), 0);
    t.diagnostic(`one process, in this test process (8 work items): ${((Date.now() - tSingle) / 1000).toFixed(1)} s`);
    const out = path.join(dir, 'sharded');
    const command = `${process.execPath} --import tsx ${path.join(repoRoot, 'src', 'cli', 'main.ts')}`;
    assert.equal(await plan.run([spec, '--shards', '4', '--out', out, '--slurm', '--partition', PARTITION, '--cpus', '1', '--command', command], quiet), 0);
    const t0 = Date.now();
    const states = await runToEnd(cluster, path.join(out, 'slurm.sbatch'));
    const logs = () => fs.readdirSync(path.join(out, 'logs')).map((f) => `${f}: ${fs.readFileSync(path.join(out, 'logs', f), 'utf8').slice(-400)}`).join('\n');
    assert.deepEqual(states, ['COMPLETED 0:0', 'COMPLETED 0:0', 'COMPLETED 0:0', 'COMPLETED 0:0'], logs());
    t.diagnostic(`sbatch to the last of 4 array tasks done (8 work items): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.deepEqual(fs.readdirSync(path.join(out, 'logs')).sort(), [0, 1, 2, 3].flatMap((k) => [`shard-${k}.err`, `shard-${k}.out`]));
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
    assert.equal(run.status, 'complete');
    sameRunResults(single, out);
  });
});
