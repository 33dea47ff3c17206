// Lock files inside a run folder, made with O_EXCL so exactly one process creates each. A lock records
// its owner's pid and host; a lock whose owner is a dead process on this host is stale and taken over.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunFolderError } from './RunFolderError';

export interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

/** The lock's owner, or null when the file is gone or unreadable (a half-written lock counts as gone). */
export function readLockOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** True unless the owner is a process of this host that no longer exists (another host's pid cannot be checked). */
export function isOwnerAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates `file` for this process. Returns null on success, else the live owner holding it.
 * A stale lock (dead owner, or unreadable and older than a few seconds) is removed and retried once.
 */
export function tryLock(file: string): LockOwner | null {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, JSON.stringify(me));
      } finally {
        fs.closeSync(fd);
      }
      return null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readLockOwner(file);
    if (owner && isOwnerAlive(owner)) return owner;
    if (!owner && Date.now() - mtimeMs(file) < 5_000) return { pid: 0, host: '?', started: '' };
    fs.rmSync(file, { force: true });
  }
  return readLockOwner(file) ?? { pid: 0, host: '?', started: '' };
}

function mtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Removes the lock if this process holds it. */
export function unlock(file: string): void {
  const owner = readLockOwner(file);
  if (owner && owner.pid === process.pid && owner.host === os.hostname()) fs.rmSync(file, { force: true });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Runs `fn` holding `file`, waiting (synchronously, polling) up to `timeoutMs` for another holder to finish. */
export function withLock<T>(file: string, fn: () => T, timeoutMs = 60_000): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owner = tryLock(file);
    if (!owner) break;
    if (Date.now() > deadline) {
      const message = `${path.basename(file)} is held by pid ${owner.pid} on ${owner.host} for more than `
        + `${timeoutMs / 1000} s; remove it if no such process runs`;
      throw new RunFolderError(message, path.dirname(path.dirname(file)));
    }
    Atomics.wait(sleeper, 0, 0, 20);
  }
  try {
    return fn();
  } finally {
    unlock(file);
  }
}
