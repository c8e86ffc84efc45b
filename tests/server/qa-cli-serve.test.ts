/**
 * Defects a QA engineer found trying the product as a new user (session 4), each on real processes:
 *
 *   LoadModel(emoji) ──model──▶ Sample(width 100)    refused at submit, not after the training before it
 *   serve --port <taken>                             one line naming the port and --port, no stack trace
 *   run <slow workflow>, then SIGTERM                the run is cancelled (not left 'running'), exit 130
 *   validate --set <node>.<param>=<value>            checks the workflow as `run --set` would run it
 *   export workflows/sd15-style-lora.json            "checkpoint is not set", not "the built-in emoji model"
 *   import passwd (no extension)                     "no file extension", not "unknown config type \".\""
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BIN, post, startServer, tempDir, TEST_NODES, workflow, type ServerProcess } from './harness';

const env = { ...process.env, LORAFLOW_EXTRA_NODES: TEST_NODES, LORAFLOW_TOKEN: '' };

function runStatuses(data: string): string[] {
  const conn = new Database(path.join(data, 'loraflow.db'), { readonly: true });
  try {
    const rows = conn.prepare('SELECT status FROM runs ORDER BY created_at').all() as { status: string }[];
    return rows.map((r) => r.status);
  } finally {
    conn.close();
  }
}

function slowWorkflowFile(dir: string): string {
  const wf = workflow(
    'slow',
    [
      ['a', 'TestNumber', { value: 1 }],
      ['s', 'TestSlowAdd', { ms: 60000, steps: 600 }],
    ],
    ['a.value->s.a'],
  );
  const file = path.join(dir, 'slow.json');
  fs.writeFileSync(file, JSON.stringify(wf));
  return file;
}

describe('with a server running', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(tempDir());
  }, 60000);
  afterAll(() => server?.stop());

  test('a Sample width that is not a multiple of 64 is refused at submit, naming the node and parameter', async () => {
    const wf = workflow(
      'odd width',
      [
        ['model', 'LoadModel', { family: 'emoji' }],
        ['sample', 'Sample', { prompts: ['a cat'], width: 100, height: 512 }],
      ],
      ['model.model->sample.model'],
    );
    const res = await post(`${server.url}/api/runs`, { workflow: wf });
    expect(res.status).toBe(400);
    const errors = res.body.errors as { nodeId?: string; param?: string; message: string }[];
    const widthErrors = errors.filter((e) => e.nodeId === 'sample' && e.param === 'width');
    expect(widthErrors).toHaveLength(1);
    expect(widthErrors[0]?.message).toMatch(/multiple of 64.*100/);
    // 512 is a multiple of 64, and 0 (the model's own size) stays valid.
    expect(errors.filter((e) => e.param === 'height')).toEqual([]);
    const ok = await post(`${server.url}/api/runs`, {
      workflow: { ...wf, nodes: wf.nodes.map((n) => (n.id === 'sample' ? { ...n, params: { width: 0 } } : n)) },
    });
    expect(ok.status).toBe(201);
  });

  test('a second serve on the same port says the port is in use and how to pick another, without a stack trace', () => {
    const port = new URL(server.url).port;
    const second = spawnSync(process.execPath, [BIN, 'serve', '--port', port, '--data', tempDir()], {
      env,
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`port ${port} is in use`);
    expect(second.stderr).toContain('--port');
    expect(second.stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
  }, 40000);
});

test('SIGTERM to `loraflow run` cancels its run and exits 130, as Ctrl+C does', async () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const child = spawn(process.execPath, [BIN, 'run', slowWorkflowFile(dir), '--data', data], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Wait for the slow node's first progress line: the run is then 'running' in the history.
  for (let i = 0; i < 600 && !/Slow add.*\d+\/600/.test(output); i++) await new Promise((r) => setTimeout(r, 50));
  expect(output).toMatch(/\d+\/600/);
  child.kill('SIGTERM');
  expect(await exited).toBe(130);
  expect(output).toMatch(/cancelling/);
  expect(runStatuses(data)).toEqual(['cancelled']);
}, 60000);

test('`loraflow validate --set` checks the overridden workflow and refuses a bad override as `run` does', () => {
  const dir = tempDir();
  const file = slowWorkflowFile(dir);
  const validate = (...set: string[]) =>
    spawnSync(process.execPath, [BIN, 'validate', file, '--data', path.join(dir, 'data'), ...set], {
      env,
      encoding: 'utf8',
    });
  const fine = validate('--set', 's.ms=5');
  expect(fine.stdout).toMatch(/valid \(2 nodes, 1 edges\)/);
  expect(fine.status).toBe(0);
  const bad = validate('--set', 's.steps=0');
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/--set s\.steps: expected between 1 and 100000, received 0/);
  const unknown = validate('--set', 'nosuch.ms=5');
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toMatch(/no node has the id or title "nosuch"/);
}, 60000);

test('exporting the shipped SD 1.5 workflow says its checkpoint is not set, not that it uses the emoji model', () => {
  const out = tempDir();
  const exported = spawnSync(
    process.execPath,
    [BIN, 'export', path.join(__dirname, '../../workflows/sd15-style-lora.json'), '--to', 'ai-toolkit', '-o', out],
    { env, encoding: 'utf8' },
  );
  expect(exported.status).toBe(0);
  const said = exported.stdout + exported.stderr;
  expect(said).toContain("LoadModel's SD 1.5 checkpoint is not set");
  expect(said).not.toMatch(/built-in emoji model/);
}, 30000);

test('importing a file without an extension says so, not "unknown config type \\".\\""', () => {
  const dir = tempDir();
  const file = path.join(dir, 'passwd');
  fs.writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\n');
  const imported = spawnSync(process.execPath, [BIN, 'import', file, '-o', path.join(dir, 'w.json')], {
    env,
    encoding: 'utf8',
  });
  expect(imported.status).toBe(1);
  expect(imported.stderr).toContain('passwd: unknown config type (no file extension)');
  expect(imported.stderr).not.toContain('"."');
}, 30000);
