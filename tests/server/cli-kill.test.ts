/**
 * `loraflow run` killed with kill -9 leaves its run 'running' in the data folder's SQLite history. The next
 * `loraflow validate` or `loraflow run` on that folder sees its owner is gone and marks it interrupted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BIN, tempDir, TEST_NODES, workflow } from './harness';

const env = { ...process.env, LORAFLOW_EXTRA_NODES: TEST_NODES, LORAFLOW_TOKEN: '' };

function statuses(data: string): string[] {
  const conn = new Database(path.join(data, 'loraflow.db'), { readonly: true });
  try {
    return (conn.prepare('SELECT status FROM runs ORDER BY created_at').all() as { status: string }[]).map(
      (r) => r.status,
    );
  } finally {
    conn.close();
  }
}

async function runUntilRunningThenKill(file: string, data: string): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'run', file, '--data', data], { env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const db = path.join(data, 'loraflow.db');
  // The file exists a moment before its tables do.
  const running = () => {
    try {
      return statuses(data).includes('running');
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 400; i++) {
    if (fs.existsSync(db) && running()) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
}

test('a run whose `loraflow run` was killed -9 is marked interrupted by the next validate, and by the next run', async () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const slow = path.join(dir, 'slow.json');
  const quick = path.join(dir, 'quick.json');
  const slowWf = workflow('slow', [
    ['a', 'TestNumber', { value: 1 }],
    ['s', 'TestSlowAdd', { ms: 60000, steps: 600 }],
  ]);
  slowWf.edges.push({ id: 'e', from: { node: 'a', socket: 'value' }, to: { node: 's', socket: 'a' } });
  fs.writeFileSync(slow, JSON.stringify(slowWf));
  fs.writeFileSync(quick, JSON.stringify(workflow('quick', [['n', 'TestNumber', { value: 2 }]])));

  await runUntilRunningThenKill(slow, data);
  expect(statuses(data)).toEqual(['running']);
  const validate = spawnSync(process.execPath, [BIN, 'validate', quick, '--data', data], { env, encoding: 'utf8' });
  expect(validate.status).toBe(0);
  expect(validate.stderr).toMatch(/1 run left running by a stopped loraflow marked interrupted/);
  expect(statuses(data)).toEqual(['interrupted']);

  await runUntilRunningThenKill(slow, data);
  expect(statuses(data)).toEqual(['interrupted', 'running']);
  const run = spawnSync(process.execPath, [BIN, 'run', quick, '--data', data], { env, encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(statuses(data)).toEqual(['interrupted', 'interrupted', 'succeeded']);
  const conn = new Database(path.join(data, 'loraflow.db'), { readonly: true });
  try {
    const nodes = conn.prepare("SELECT status FROM node_states WHERE node_id = 's'").all() as { status: string }[];
    expect(nodes.map((n) => n.status)).not.toContain('running');
  } finally {
    conn.close();
  }
}, 120000);
