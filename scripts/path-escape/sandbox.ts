/**
 * The sandbox the path-escape checks run in, and the tricks they try. A data folder (the only allowed root) sits
 * beside an `outside` folder holding a secret; links inside the data folder lead outside, nowhere, and in a loop.
 * A snapshot of everything but the data folder tells whether any trick changed a file outside.
 *
 *   top/
 *   ├── data/                       <- the data folder, the only allowed root
 *   │   ├── link-out -> ../outside
 *   │   ├── link-dangling -> ../outside/not-there
 *   │   ├── link-loop-a -> link-loop-b -> link-loop-a
 *   │   └── pipe                    (a FIFO)
 *   └── outside/secret.txt, hostname
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the secret file starts with: no answer may contain it. */
export const SECRET = 'TOP-SECRET-9f3c: this file lies outside the allowed folders';
const HOME_PROBE = 'loraflow-escape-probe';

export interface Sandbox {
  top: string;
  data: string;
  outside: string;
  dispose(): void;
}

export function createSandbox(): Sandbox {
  const top = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-escape-')));
  const data = path.join(top, 'data');
  const outside = path.join(top, 'outside');
  fs.mkdirSync(data);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), `${SECRET}\n`);
  fs.writeFileSync(path.join(outside, 'hostname'), `${SECRET} (hostname)\n`);
  fs.symlinkSync('../outside', path.join(data, 'link-out'));
  fs.symlinkSync('../outside/not-there', path.join(data, 'link-dangling'));
  fs.symlinkSync('link-loop-b', path.join(data, 'link-loop-a'));
  fs.symlinkSync('link-loop-a', path.join(data, 'link-loop-b'));
  execFileSync('mkfifo', [path.join(data, 'pipe')]); // opening it would block until someone writes
  return { top, data, outside, dispose: () => fs.rmSync(top, { recursive: true, force: true }) };
}

/** One trick: the text put into a parameter; `wholePath` tricks name a link or a FIFO, which a name cannot. */
export interface Trick {
  id: string;
  value: string;
  wholePath: boolean;
}

/** The escape tricks, in the order a small-count run tries them (the most telling first). */
export function tricks(box: Sandbox): Trick[] {
  return [
    { id: 'dotdot', value: '..', wholePath: false },
    { id: 'relative-escape', value: '../outside/probe', wholePath: false },
    { id: 'outside-link', value: 'link-out/probe', wholePath: true },
    { id: 'absolute', value: path.join(box.outside, 'probe'), wholePath: false },
    { id: 'extension-trick', value: '.x/../../outside/hostname', wholePath: false },
    { id: 'up-and-out', value: 'a/../../outside/probe', wholePath: false },
    { id: 'home', value: `~/${HOME_PROBE}`, wholePath: false },
    { id: 'dangling-link', value: 'link-dangling', wholePath: true },
    { id: 'loop-link', value: 'link-loop-a/probe', wholePath: true },
    { id: 'fifo', value: 'pipe', wholePath: true },
    { id: 'nul', value: 'probe\0.png', wholePath: false },
    { id: 'long-name', value: 'x'.repeat(300), wholePath: false },
  ];
}

/** Every file and folder outside the data folder with its size and content hash, plus the home-folder probe. */
export function snapshotOutside(box: Sandbox): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (full === box.data) continue;
      if (entry.isDirectory()) {
        out.set(full, 'folder');
        walk(full);
      } else if (entry.isFile()) {
        out.set(full, createHash('sha256').update(fs.readFileSync(full)).digest('hex'));
      } else out.set(full, entry.isSymbolicLink() ? `link:${fs.readlinkSync(full)}` : 'other');
    }
  };
  walk(box.top);
  for (const name of fs.readdirSync(os.homedir()))
    if (name.startsWith(HOME_PROBE)) out.set(path.join(os.homedir(), name), 'probe');
  return out;
}

/** The paths that differ between two snapshots (added, removed or changed). */
export function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [p, v] of after) if (before.get(p) !== v) changed.push(p);
  for (const p of before.keys()) if (!after.has(p)) changed.push(p);
  return changed.sort();
}
