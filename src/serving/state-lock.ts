/**
 * One owner per state folder. Two `mlp up` on the same folder would both open the embedded
 * database and lose each other's registry writes, so the first takes a lock file (created with
 * O_EXCL, holding pid, host and start time) and the second is refused with a message naming the
 * first. A lock whose process is gone (same host, pid not alive) is stale and taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../core/process.js';

export const LOCK_FILE = 'mlp.lock';

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

export class StateInUseError extends Error {
  override readonly name = 'StateInUseError';
  constructor(
    readonly holder: LockInfo,
    label: string,
  ) {
    super(
      `state folder ${label} is in use by pid ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''} (started ${holder.started}); stop it, or choose another folder with --state`,
    );
  }
}

function read(path: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return Number.isInteger(info.pid) && typeof info.host === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the state folder's lock; returns its release. Throws StateInUseError when held. */
export function lockStateDir(dir: string, label = dir): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = read(path);
      // A lock from a dead process on this host (or an unreadable, half-written one) is stale.
      if (holder && (holder.host !== hostname() || processAlive(holder.pid)))
        throw new StateInUseError(holder, label);
      try {
        unlinkSync(path);
      } catch {}
      continue;
    }
    writeSync(fd, `${JSON.stringify(mine)}\n`);
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.removeListener('exit', release);
      const now = read(path);
      if (now?.pid === mine.pid && now.started === mine.started) {
        try {
          unlinkSync(path);
        } catch {}
      }
    };
    process.once('exit', release);
    return release;
  }
  throw new Error(`could not take the lock ${path}`);
}
