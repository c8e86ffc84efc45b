/**
 * Start-up cleaning: an atomic write goes through a temp file beside its target (ml/temp-path.ts), and a process
 * killed mid-write (kill -9, power loss) leaves that file behind forever. At start-up the server and the CLI remove
 * the temp files whose writer is gone. A live writer's files (another `loraflow run` now) are never touched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TEMP_NAME } from '../../ml/temp-path';

/** Older temp names: `<target>.<hex>.tmp` (no pid: removed once an hour old) and `.<name>.<pid>.<ms>.tmp`. */
const HEX_TEMP = /\.[0-9a-f]{8,12}\.tmp$/;
const PID_MS_TEMP = /^\..+\.(\d+)\.\d{13}\.tmp$/;
const NO_PID_AGE_MS = 60 * 60 * 1000;
/** The most entries looked at per start (the data folder holds far fewer; an allowed folder may hold more). */
const MAX_ENTRIES = 200_000;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

function isStale(name: string, full: string): boolean {
  const pid = TEMP_NAME.exec(name)?.[1] ?? PID_MS_TEMP.exec(name)?.[1];
  if (pid !== undefined) return !processAlive(Number(pid));
  if (!HEX_TEMP.test(name)) return false;
  const st = fs.lstatSync(full, { throwIfNoEntry: false });
  return st !== undefined && Date.now() - st.mtimeMs > NO_PID_AGE_MS;
}

/**
 * Removes stale temp files and temp folders under `dirs` (links not followed, `maxDepth` levels) and returns
 * their paths. Errors (a folder removed meanwhile, no permission) skip that entry: cleaning never stops a start.
 */
export function removeStaleTempFiles(dirs: readonly string[], maxDepth = 8): string[] {
  const removed: string[] = [];
  const seen = new Set<string>();
  let budget = MAX_ENTRIES;
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (--budget < 0) return; // a huge allowed folder must not delay the start; the rest waits for the next one
      const full = path.join(dir, entry.name);
      if (isStale(entry.name, full)) {
        try {
          fs.rmSync(full, { recursive: true, force: true });
          removed.push(full);
        } catch {
          // Not ours to remove, or gone already.
        }
      } else if (entry.isDirectory() && depth < maxDepth) walk(full, depth + 1);
    }
  };
  for (const dir of dirs) {
    const real = path.resolve(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    walk(real, 0);
  }
  return removed;
}
