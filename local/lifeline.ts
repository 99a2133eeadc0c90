/**
 * Ties the local stack's life to the processes that launched it.
 *
 * `npm start` is a chain — npm → sh → tsx → node (this process) — and a
 * process manager, or a person with `kill`, signals one pid of it. npm
 * forwards SIGTERM and SIGINT to `sh`, which dies of them without passing
 * them on; SIGHUP or SIGKILL end npm or tsx alone. Either way this process
 * would be left serving, orphaned. So it watches the launchers: the
 * ancestors in its own process group (a shell's job, or what a service
 * manager started), which are exactly npm, sh and tsx when started through
 * npm. When one of them ends (seen as a member of the chain getting a new
 * parent, or vanishing), `onGone` runs.
 *
 * A stack that leads its own process group (`node --import tsx
 * local/start.ts`, `setsid …`) has no launchers to watch and lives on its
 * own. Linux reads /proc; other Unix systems ask `ps`; on Windows nothing is
 * watched.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

interface ProcessInfo {
  ppid: number;
  pgid: number;
}

export interface Launcher {
  pid: number;
  /** Its parent when the stack started: another parent means that parent ended. */
  ppid: number;
}

/** The ancestors that share this process's group, nearest first. */
export function launchers(): Launcher[] {
  if (process.platform === 'win32') return [];
  const self = readProcess(process.pid);
  if (self === undefined) return [];
  const chain: Launcher[] = [];
  let pid = process.ppid;
  // A handful is plenty (npm → sh → tsx); the bound only guards against a loop in odd /proc states.
  while (pid > 1 && chain.length < 16) {
    const info = readProcess(pid);
    if (info === undefined || info.pgid !== self.pgid) break;
    chain.push({ pid, ppid: info.ppid });
    pid = info.ppid;
  }
  return chain;
}

/** Calls `onGone` (once) when a launcher ends; returns a function that stops watching. */
export function watchLaunchers(onGone: (launcher: Launcher) => void, intervalMs = 500): () => void {
  const chain = launchers();
  if (chain.length === 0) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    const ended = process.ppid !== parent ? chain[0] : chain.find((l) => readProcess(l.pid)?.ppid !== l.ppid);
    if (ended === undefined) return;
    clearInterval(timer);
    onGone(ended);
  }, intervalMs);
  // The server keeps the process alive; this timer alone must not.
  timer.unref();
  return () => clearInterval(timer);
}

const PROC = existsSync('/proc/self/stat');

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    if (PROC) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so split after the last ')'.
      const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie has ended; only its parent has not reaped it yet.
      if (state === 'Z') return undefined;
      return { ppid: Number(ppid), pgid: Number(pgid) };
    }
    const [ppid, pgid] = execFileSync('ps', ['-o', 'ppid=,pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/);
    return ppid === undefined || pgid === undefined ? undefined : { ppid: Number(ppid), pgid: Number(pgid) };
  } catch {
    return undefined;
  }
}
