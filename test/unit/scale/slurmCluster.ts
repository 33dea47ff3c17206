// A one-node Slurm cluster for a test: munged (if none runs), slurmctld and slurmd as root with their
// state, spool, logs and pid files in a temporary folder; stopped by those pid files.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const PARTITION = 'lens';

export interface SlurmCluster {
  conf: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const MUNGE_PID = '/run/munge/munged.pid';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function pidAlive(pidFile: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

async function stopByPidFile(pidFile: string): Promise<void> {
  const pid = pidAlive(pidFile);
  if (!pid) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && pidAlive(pidFile) === pid && !isZombie(pid); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.status === 0) return null;
  return `${cmd} ${args.join(' ')} exited with ${r.status ?? r.error?.message}: ${(r.stderr || r.stdout).trim()}`;
}

/** Starts the cluster, or returns the reason it cannot start here. */
export async function startSlurmCluster(): Promise<SlurmCluster | string> {
  for (const bin of ['slurmctld', 'slurmd', 'sbatch', 'sinfo', 'munged']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) {
      return `${bin} is not installed (apt-get install slurmctld slurmd slurm-client munge)`;
    }
  }
  if (process.getuid?.() !== 0) return 'slurmctld and slurmd must run as root here';
  const startedMunge = !pidAlive(MUNGE_PID);
  if (startedMunge) {
    fs.mkdirSync(path.dirname(MUNGE_PID), { recursive: true });
    const problem = run('chown', ['munge:munge', path.dirname(MUNGE_PID)])
      ?? run('runuser', ['-u', 'munge', '--', 'munged']);
    if (problem) return problem;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-'));
  for (const d of ['state', 'spool', 'log']) fs.mkdirSync(path.join(dir, d));
  const node = os.hostname().split('.')[0]!;
  const conf = path.join(dir, 'slurm.conf');
  fs.writeFileSync(conf, [
    'ClusterName=lens', `SlurmctldHost=${node}`, 'SlurmUser=root', 'SlurmdUser=root', 'AuthType=auth/munge',
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none',
    'SelectType=select/cons_tres', 'SelectTypeParameters=CR_CPU',
    'JobAcctGatherType=jobacct_gather/none', 'MpiDefault=none', 'ReturnToService=2',
    `StateSaveLocation=${dir}/state`, `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`, `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/log/slurmctld.log`, `SlurmdLogFile=${dir}/log/slurmd.log`,
    `SlurmctldPort=${await freePort()}`, `SlurmdPort=${await freePort()}`,
    `NodeName=${node} CPUs=${os.cpus().length} State=UNKNOWN`,
    `PartitionName=${PARTITION} Nodes=${node} Default=YES MaxTime=INFINITE State=UP`, '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: conf };
  const stop = async () => {
    await stopByPidFile(path.join(dir, 'slurmd.pid'));
    await stopByPidFile(path.join(dir, 'slurmctld.pid'));
    if (startedMunge) await stopByPidFile(MUNGE_PID);
  };
  const problem = run('slurmctld', ['-f', conf]) ?? run('slurmd', ['-f', conf]);
  if (problem) {
    await stop();
    return problem;
  }
  for (let i = 0; i < 100; i++) {
    const sinfo = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', env });
    if (sinfo.status === 0 && /^idle/m.test(sinfo.stdout)) return { conf, env, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = fs.readFileSync(path.join(dir, 'log', 'slurmctld.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
  await stop();
  return `the node did not become idle within 10 s (slurmctld log: ${log})`;
}
