import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { find } from '../../../src/cli/commands/find';
import { plan } from '../../../src/cli/commands/plan';
import { readRun } from '../../../src/core/runStore/readRun';
import { runProgressText } from '../../../src/core/runStore/runProgress';
import { sameRunResults } from './sameRunResults';
import { cliWords, escapeRegExp, plantedWorkspace, quiet, readRunInfo, repoRoot } from './scaleHelpers';
import { PARTITION, startSlurmCluster, type SlurmCluster } from './slurmCluster';

describe('plan --slurm', () => {
  test('writes a job array of N tasks, each one shard into DIR, logs in DIR/logs', async () => {
    const { dir, spec } = plantedWorkspace('plan-slurm-', { seeds: [0, 1, 2], randomInit: false });
    const out = path.join(dir, 'run dir');
    let printed = '';
    const options = ['--partition', 'gpu', '--gpus', '1', '--time', '1-02:00:00', '--cpus', '4'];
    options.push('--command', 'subnetwork-lens');
    const io = { out: (t: string) => { printed += t; }, err() {} };
    assert.equal(await plan.run([spec, '--shards', '3', '--out', out, '--slurm', ...options], io), 0);
    const script = fs.readFileSync(path.join(out, 'slurm.sbatch'), 'utf8');
    const directives = [
      '--array=0-2', '--cpus-per-task=4', '--partition=gpu', '--time=1-02:00:00', '--gres=gpu:1',
      `'--output=${out}/logs/shard-%a.out'`,
    ];
    for (const d of directives) assert.ok(script.split('\n').includes(`#SBATCH ${d}`), `#SBATCH ${d} in\n${script}`);
    const find = `find ${escapeRegExp(spec)} --out '${escapeRegExp(out)}'`;
    const shard = '--shard "\\$SLURM_ARRAY_TASK_ID/3" --threads 4';
    assert.match(script, new RegExp(`^exec subnetwork-lens ${find} ${shard}$`, 'm'));
    assert.ok(fs.statSync(path.join(out, 'logs')).isDirectory());
    assert.match(printed, /3 shards of 6 work items: .*slurm\.sbatch\nsubmit with: sbatch '/);
    assert.equal(spawnSync('bash', ['-n', path.join(out, 'slurm.sbatch')]).status, 0, 'bash parses the script');
  });

  test('refuses a malformed time limit or partition, and needs exactly one of --slurm and --k8s', async () => {
    const neither = plan.run(['x.subnet.json', '--shards', '2', '--out', 'd'], quiet);
    await assert.rejects(neither, /exactly one of --slurm and --k8s/);
    const { dir, spec } = plantedWorkspace('plan-bad-');
    const slurm = [spec, '--shards', '2', '--out', path.join(dir, 'r'), '--slurm'];
    await assert.rejects(plan.run([...slurm, '--time', '2h'], quiet), /--time must be a Slurm time limit/);
    await assert.rejects(plan.run([...slurm, '--partition', 'a;rm'], quiet), /--partition must be a partition name/);
  });
});

const ACTIVE = ['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING'];

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
    if (tasks.length > 0 && tasks.every((x) => x.task >= 0 && !ACTIVE.includes(x.state))) {
      return tasks.sort((a, b) => a.task - b.task).map((x) => `${x.state} ${x.exit}`);
    }
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
    const { dir, spec } = plantedWorkspace('slurm-run-');
    const single = path.join(dir, 'single');
    const tSingle = Date.now();
    assert.equal(await find.run([spec, '--out', single, '--threads', '1'], quiet), 0);
    t.diagnostic(`one process, in this test process (8 work items): ${((Date.now() - tSingle) / 1000).toFixed(1)} s`);
    const out = path.join(dir, 'sharded');
    const slurm = ['--slurm', '--partition', PARTITION, '--cpus', '1', '--command', cliWords.join(' ')];
    assert.equal(await plan.run([spec, '--shards', '4', '--out', out, ...slurm], quiet), 0);
    assert.equal(runProgressText(readRun(out).progress!), 'queued (0 of 4 shards started)');
    const t0 = Date.now();
    const states = await runToEnd(cluster, path.join(out, 'slurm.sbatch'));
    const logs = () => fs.readdirSync(path.join(out, 'logs'))
      .map((f) => `${f}: ${fs.readFileSync(path.join(out, 'logs', f), 'utf8').slice(-400)}`).join('\n');
    assert.deepEqual(states, Array(4).fill('COMPLETED 0:0'), logs());
    t.diagnostic(`sbatch to the last of 4 array tasks done (8 work items): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const logFiles = [0, 1, 2, 3].flatMap((k) => [`shard-${k}.err`, `shard-${k}.out`]);
    assert.deepEqual(fs.readdirSync(path.join(out, 'logs')).sort(), logFiles);
    assert.equal(readRunInfo(out).status, 'complete');
    const shards = readRun(out).progress!;
    assert.deepEqual(shards.perShard.map((p) => `${p.state} ${p.done}/${p.total}`), Array(4).fill('done 2/2'));
    sameRunResults(single, out);
  });
});
