/**
 * The command line as a user types it: `loraflow run` prints progress and the outputs and exits 0, a rerun
 * with --set reuses the cache, `validate` lists every error of a broken file, and `run --server` follows a server.
 *
 *   a ──┐
 *       ├─> sum ──> rep
 *   b ──┘
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, runLoraflow, startServer, tempDir, TEST_NODES, workflow } from './harness';

const loraflow = (args: string[]) => runLoraflow(args, { testNodes: true });

const dir = tempDir();
const file = path.join(dir, 'small.json');
fs.writeFileSync(
  file,
  JSON.stringify(
    workflow(
      'small',
      [
        ['a', 'TestNumber', { value: 2 }],
        ['b', 'TestNumber', { value: 3 }],
        ['sum', 'TestSlowAdd', { ms: 200, steps: 10, mode: 'add' }, 'Add'],
        ['rep', 'TestReport', { label: 'total' }, 'Report'],
      ],
      ['a.value->sum.a', 'b.value->sum.b', 'sum.sum->rep.value'],
    ),
  ),
);

test('loraflow run shows progress, prints where the outputs are and exits 0; --set reruns only what changed', async () => {
  const data = path.join(dir, 'data');
  const first = await loraflow(['run', file, '--data', data]);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/succeeded/);
  const reportPath = /report: report\.txt -> (\S+)/.exec(first.stdout)?.[1];
  expect(reportPath && fs.readFileSync(reportPath, 'utf8')).toBe('total: 5\n');
  expect(first.stderr).toMatch(/Add \(sum\)\s+\[#+-*\]\s+\d+\/10/);

  const second = await loraflow(['run', file, '--data', data, '--set', 'Report.label=sum']);
  expect(second.code).toBe(0);
  expect(second.stderr).toMatch(/Add \(sum\) cached/);
  expect(second.stderr).toMatch(/Report \(rep\) started/);
  const secondReport = /report: report\.txt -> (\S+)/.exec(second.stdout)?.[1];
  expect(secondReport && fs.readFileSync(secondReport, 'utf8')).toBe('sum: 5\n');

  const badSet = await loraflow(['run', file, '--data', data, '--set', 'nobody.label=x']);
  expect(badSet.code).toBe(1);
  expect(badSet.stderr).toMatch(/no node has the id or title "nobody"/);
});

test('Ctrl+C during loraflow run cancels the run cleanly and exits 130', async () => {
  const long = path.join(dir, 'long.json');
  fs.writeFileSync(
    long,
    JSON.stringify(
      workflow(
        'long',
        [
          ['n', 'TestNumber', { value: 1 }],
          ['s', 'TestSlowAdd', { ms: 60000, steps: 600 }],
        ],
        ['n.value->s.a'],
      ),
    ),
  );
  const proc = spawn(process.execPath, [BIN, 'run', long, '--data', path.join(dir, 'data')], {
    env: { ...process.env, LORAFLOW_EXTRA_NODES: TEST_NODES, LORAFLOW_TOKEN: '' },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  await new Promise<void>((resolve) =>
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/Slow add \(s\)\s+\[/.test(stderr)) resolve();
    }),
  );
  proc.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(stderr).toMatch(/cancelling/);
  expect(stdout).toMatch(/cancelled/);
});

test('loraflow validate lists every error of a broken file and exits 1', async () => {
  const broken = path.join(dir, 'broken.json');
  const wf = workflow(
    'broken',
    [
      ['s', 'TestSlowAdd', { steps: -5 }],
      ['u', 'Mystery'],
    ],
    ['u.out->s.a'],
  );
  fs.writeFileSync(broken, JSON.stringify(wf));
  const res = await loraflow(['validate', broken]);
  expect(res.code).toBe(1);
  expect(res.stdout).toMatch(/validation errors:/);
  expect(res.stdout).toMatch(/s: .*steps.*\[param-range\]/);
  expect(res.stdout).toMatch(/u: .*Mystery.*\[unknown-node-type\]/);
  expect((await loraflow(['validate', file])).code).toBe(0);
  expect((await loraflow(['validate', path.join(dir, 'missing.json')])).code).toBe(1);
});

test('loraflow run --server submits to a running server and follows the run to its end', async () => {
  const server = await startServer(tempDir());
  try {
    const res = await loraflow(['run', file, '--server', server.url]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/succeeded/);
    expect(res.stdout).toContain(`${server.url}/api/artifacts/`);
    expect(res.stderr).toMatch(/Add \(sum\)/);
  } finally {
    await server.stop();
  }
});

test('a server started beside a running `loraflow run` on the same data folder leaves that run alone', async () => {
  const data = path.join(dir, 'shared-data');
  const slow = path.join(dir, 'slow.json');
  fs.writeFileSync(
    slow,
    JSON.stringify(
      workflow(
        'beside',
        [
          ['a', 'TestNumber', { value: 1 }],
          ['sum', 'TestSlowAdd', { ms: 10000, steps: 50, mode: 'add' }], // outlasts a server start on a loaded machine
        ],
        ['a.value->sum.a', 'a.value->sum.b'],
      ),
    ),
  );
  const cli = loraflow(['run', slow, '--data', data]);
  // Wait until the CLI's run is recorded as running in the shared database.
  const db = path.join(data, 'loraflow.db');
  const Database = (await import('better-sqlite3')).default;
  const runningRuns = (): number => {
    if (!fs.existsSync(db)) return 0;
    const conn = new Database(db, { readonly: true });
    try {
      return (conn.prepare("SELECT count(*) AS n FROM runs WHERE status = 'running'").get() as { n: number }).n;
    } catch {
      return 0; // the file exists a moment before its tables do
    } finally {
      conn.close();
    }
  };
  for (let i = 0; i < 200 && runningRuns() === 0; i++) await new Promise((r) => setTimeout(r, 50));
  const server = await startServer(data);
  try {
    const history = (await (await fetch(`${server.url}/api/runs`)).json()) as { id: string; status: string }[];
    expect(history.map((r) => r.status)).toEqual(['running']);
    const result = await cli;
    expect(result.code).toBe(0);
    const run = (await (await fetch(`${server.url}/api/runs/${history[0]!.id}`)).json()) as {
      status: string;
      error?: string;
    };
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.error).toBeUndefined();
  } finally {
    await server.stop();
  }
});
