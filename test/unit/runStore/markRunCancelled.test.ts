import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { markRunCancelled } from '../../../src/core/runStore/markRunCancelled';
import {
  readShardRecords, STALL_MS, writeShardRecord, type ShardRecord,
} from '../../../src/core/runStore/shardRecords';

/** A pid that no process has any more. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;
const status = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')).status as string;

function runDir(runStatus: string, tempPid = deadPid()): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mark-cancelled-'));
  const created = new Date(Date.now() - 5000).toISOString();
  const info = { id: 'r1', status: runStatus, created, updated: 'x', timings: { totalMs: 10 } };
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(info));
  fs.mkdirSync(path.join(dir, 'masks', 'inside'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'masks', 'inside', `.seed-0.safetensors.${tempPid}.456.tmp`), 'half');
  fs.writeFileSync(path.join(dir, 'masks', 'inside', 'seed-0.safetensors'), 'whole');
  return dir;
}

/** Shard K of 2 held by `pid` on `host`, as RunStore leaves it: a lock and a record with a heartbeat. */
function holdShard(dir: string, index: number, pid: number, host = os.hostname(), heartbeatAgoMs = 0): void {
  const started = new Date().toISOString();
  fs.mkdirSync(path.join(dir, 'locks'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'locks', `shard-${index}-of-2.lock`), JSON.stringify({ pid, host, started }));
  const heartbeat = new Date(Date.now() - heartbeatAgoMs).toISOString();
  const record: ShardRecord = { index, count: 2, pid, host, started, heartbeat, state: 'running', done: 0, total: 2 };
  writeShardRecord(dir, record);
}

const temps = (dir: string) => fs.readdirSync(path.join(dir, 'masks', 'inside')).filter((f) => f.endsWith('.tmp'));

describe('markRunCancelled', () => {
  test('marks a run left running as cancelled and removes a dead process\'s temp files only', () => {
    const dir = runDir('running');
    const r = markRunCancelled(dir);
    assert.deepEqual(r, { marked: true, tempFilesRemoved: 1, status: 'cancelled', liveShards: 0 });
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    assert.equal(info.status, 'cancelled');
    assert.equal(info.error.name, 'AbortError');
    assert.ok(info.timings.totalMs >= 5000);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'masks', 'inside')), ['seed-0.safetensors']);
    assert.equal(fs.existsSync(path.join(dir, 'locks')), false);
  });

  test('another live shard process keeps its temp files, its lock, and the run running', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const dir = runDir('running', other.pid!);
      const killed = deadPid();
      holdShard(dir, 0, killed);
      holdShard(dir, 1, other.pid!);
      fs.writeFileSync(path.join(dir, 'masks', 'inside', `.seed-1.safetensors.${killed}.789.tmp`), 'half');
      const r = markRunCancelled(dir);
      assert.deepEqual(r, { marked: false, tempFilesRemoved: 1, status: 'running', liveShards: 1 });
      assert.deepEqual(temps(dir), [`.seed-0.safetensors.${other.pid}.456.tmp`]);
      assert.equal(status(dir), 'running');
      assert.deepEqual(fs.readdirSync(path.join(dir, 'locks')), ['shard-1-of-2.lock']);
      const states = readShardRecords(dir).sort((a, b) => a.index - b.index).map((s) => s.state);
      assert.deepEqual(states, ['stopped', 'running']);
    } finally {
      other.kill();
    }
  });

  test('a shard on another host lives while its heartbeat does; once it stopped, the run is cancelled', () => {
    const remotePid = deadPid();
    const live = runDir('running', remotePid);
    holdShard(live, 1, remotePid, 'node-7', 1000);
    assert.deepEqual(markRunCancelled(live), { marked: false, tempFilesRemoved: 0, status: 'running', liveShards: 1 });
    assert.equal(temps(live).length, 1);
    const stalled = runDir('running', remotePid);
    holdShard(stalled, 1, remotePid, 'node-7', STALL_MS + 60_000);
    const marked = { marked: true, tempFilesRemoved: 1, status: 'cancelled', liveShards: 0 };
    assert.deepEqual(markRunCancelled(stalled), marked);
    assert.equal(fs.existsSync(path.join(stalled, 'locks')), false);
  });

  test('waits for a live holder of the run lock, and takes a dead holder\'s over', () => {
    const dir = runDir('running');
    fs.mkdirSync(path.join(dir, 'locks'));
    const lock = path.join(dir, 'locks', 'run.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: os.hostname(), started: '' }));
    assert.equal(markRunCancelled(dir).marked, true);
    const held = runDir('running');
    fs.mkdirSync(path.join(held, 'locks'));
    fs.writeFileSync(path.join(held, 'locks', 'run.lock'), JSON.stringify({ pid: 1, host: 'node-7', started: '' }));
    assert.throws(() => markRunCancelled(held), /run\.lock is held by pid 1 on node-7/);
    assert.equal(status(held), 'running');
  });

  test('leaves a run the engine already finished or marked alone', () => {
    for (const s of ['complete', 'cancelled', 'failed']) {
      const dir = runDir(s);
      assert.equal(markRunCancelled(dir).marked, false);
      assert.equal(status(dir), s);
    }
  });

  test('does nothing when the run never wrote its run.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mark-cancelled-'));
    assert.deepEqual(markRunCancelled(dir), { marked: false, tempFilesRemoved: 0, liveShards: 0 });
  });
});
