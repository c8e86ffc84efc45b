/**
 * QA (session 6): `loraflow run --server <url>` printed a Node.js stack trace ("loraflow: TypeError: fetch failed"
 * and five "at …" lines) when nothing listened there, for a --server that is not a URL, and crashed on a 401 from a
 * server with a token. Each now says in one line what is wrong and what to check, exit 1.
 *
 *   run --server http://127.0.0.1:<closed port>       "cannot reach the loraflow server at …"
 *   run --server notaurl                              "--server expects an http:// or https:// URL"
 *   run --server <serve --token …> (no --token)       "answered 401 …"
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BIN, startServer, tempDir, workflow, type ServerProcess } from './harness';

const dir = tempDir();
const file = path.join(dir, 'one.json');
fs.writeFileSync(file, JSON.stringify(workflow('one number', [['a', 'TestNumber', { value: 1 }]], [])));

function runRemote(server: string, ...more: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, 'run', file, '--server', server, ...more], {
    encoding: 'utf8',
    env: { ...process.env, LORAFLOW_TOKEN: '' },
    timeout: 30000,
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const noStack = (out: string) => expect(out).not.toMatch(/^\s+at /m);

test('a --server where nothing listens says it cannot reach it, without a stack trace', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const r = runRemote(url);
  expect(r.status).toBe(1);
  expect(r.out).toContain(`cannot reach the loraflow server at ${url}`);
  noStack(r.out);
});

test('a --server that is not a URL is refused naming the option', () => {
  const r = runRemote('notaurl');
  expect(r.status).toBe(1);
  expect(r.out).toMatch(/--server expects an http:\/\/ or https:\/\/ URL, got "notaurl"/);
  noStack(r.out);
});

describe('a server with a token', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(tempDir(), [], { LORAFLOW_TOKEN: 'a-token-of-sixteen-or-more' });
  }, 60000);
  afterAll(() => server?.stop());

  test('run --server without --token says the server answered 401 and to pass --token', () => {
    const r = runRemote(server.url);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/answered 401/);
    expect(r.out).toMatch(/--token/);
    noStack(r.out);
  });
});
