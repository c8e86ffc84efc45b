/**
 * A process killed with kill -9 in the middle of an atomic write leaves its temp file; the next start removes it,
 * and never a temp file of a process that is still writing, nor anything else.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMP_NAME, tempPathFor } from '../../ml/temp-path';
import { resolveConfig } from '../../server/config';
import { createRuntime } from '../../server/queue/runtime';
import { removeStaleTempFiles } from '../../server/engine/temp-files';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'loraflow-temp-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a writer that streams into `<target>.tmp-<its pid>-…` and kills it with SIGKILL mid-write. */
async function killedMidWrite(target: string): Promise<string> {
  // The same name the real writers use (tempPathFor), made in the child so that it carries the child's pid.
  const script = `
    const fs = require('node:fs');
    const tmp = ${JSON.stringify(target)} + '.tmp-' + process.pid + '-0123abcd';
    const fd = fs.openSync(tmp, 'w');
    setInterval(() => fs.writeSync(fd, Buffer.alloc(65536)), 5);
    process.stdout.write(tmp + '\\n');`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tmp = await new Promise<string>((resolve) =>
    child.stdout.once('data', (d: Buffer) => resolve(String(d).trim())),
  );
  await new Promise((r) => setTimeout(r, 50));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return tmp;
}

test('the temp files of a writer killed mid-write are removed; a live writer’s and other files are kept', async () => {
  expect(TEMP_NAME.test(tempPathFor(join(dir, 'x.safetensors')))).toBe(true);
  mkdirSync(join(dir, 'artifacts', 'ab'), { recursive: true });
  const dead = await killedMidWrite(join(dir, 'artifacts', 'ab', 'abc.png'));
  expect(existsSync(dead)).toBe(true);
  const live = tempPathFor(join(dir, 'loras', 'mine.safetensors')); // this process is alive: hands off
  mkdirSync(join(dir, 'loras'));
  writeFileSync(live, 'x');
  const oldNoPid = join(dir, 'loras', 'a.safetensors.0123456789ab.tmp');
  const newNoPid = join(dir, 'loras', 'b.safetensors.0123456789ab.tmp');
  writeFileSync(oldNoPid, 'x');
  writeFileSync(newNoPid, 'x');
  utimesSync(oldNoPid, new Date(Date.now() - 2 * 3600e3), new Date(Date.now() - 2 * 3600e3));
  writeFileSync(join(dir, 'loras', 'notes.tmp.txt'), 'a user file');
  expect(removeStaleTempFiles([dir]).sort()).toEqual([dead, oldNoPid].sort());
  expect([live, newNoPid, join(dir, 'loras', 'notes.tmp.txt')].map(existsSync)).toEqual([true, true, true]);
});

test('starting the server or the CLI (createRuntime) cleans the data folder', async () => {
  mkdirSync(join(dir, 'data', 'artifacts', 'cd'), { recursive: true });
  const dead = await killedMidWrite(join(dir, 'data', 'artifacts', 'cd', 'cde.png'));
  const logs: string[] = [];
  const runtime = createRuntime(resolveConfig({ data: join(dir, 'data') }, {}), {
    adoptExisting: false,
    log: (m) => logs.push(m),
  });
  await runtime.close();
  expect(existsSync(dead)).toBe(false); // before: there forever
  expect(logs).toContain('removed 1 temp file(s) left by interrupted writes');
});
