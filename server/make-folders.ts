import fs from 'node:fs';
import path from 'node:path';

/**
 * Creates `dir` and its missing parents one level at a time, and checks that it is a folder.
 * `fs.mkdirSync(dir, { recursive: true })` spins forever on some paths (`/proc/x` on Node 20, QA S6-F22, S8-F17);
 * a plain mkdir fails at once with the reason. Throws a plain Error with that reason.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) fs.mkdirSync(d);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is a file, not a folder`);
}
