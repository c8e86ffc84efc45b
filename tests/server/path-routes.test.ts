/**
 * The REST routes that touch files, on a real server: the folder browser does not tell the type or size of what a
 * link outside points to, and the workflow library does not read (or quote) a workflow file that links outside.
 *
 *   top/data/            <- the data folder
 *   │   ├── shadow -> ../outside/secret.txt    (a link to a file outside)
 *   │   ├── elsewhere -> ../outside            (a link to a folder outside)
 *   │   ├── photos -> images                   (a link that stays inside: shown as what it points to)
 *   │   └── workflows/leak.json -> ../../outside/secret.txt
 *   │       ├── leak-object.json -> ../../outside/secret.json   (an outside file that parses as a workflow)
 *   │       └── pipe.json                                         (a FIFO: reading it blocks until someone writes)
 *   top/outside/secret.txt, secret.json
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { get, post, startServer, tempDir, type ServerProcess } from './harness';

const SECRET = '{"format": "TOP SECRET, outside the allowed folders"';
let top: string;
let server: ServerProcess;
beforeAll(async () => {
  top = fs.realpathSync(tempDir());
  const data = path.join(top, 'data');
  fs.mkdirSync(path.join(data, 'images'), { recursive: true });
  fs.mkdirSync(path.join(data, 'workflows'), { recursive: true });
  fs.mkdirSync(path.join(top, 'outside'));
  fs.writeFileSync(path.join(top, 'outside', 'secret.txt'), SECRET);
  fs.writeFileSync(path.join(data, 'images', 'a.png'), 'x');
  fs.symlinkSync(path.join(top, 'outside', 'secret.txt'), path.join(data, 'shadow'));
  fs.symlinkSync(path.join(top, 'outside'), path.join(data, 'elsewhere'));
  fs.symlinkSync('images', path.join(data, 'photos'));
  fs.symlinkSync(path.join(top, 'outside', 'secret.txt'), path.join(data, 'workflows', 'leak.json'));
  fs.writeFileSync(path.join(top, 'outside', 'secret.json'), JSON.stringify({ nodes: [], secret: 'TOP SECRET 2' }));
  fs.symlinkSync(path.join(top, 'outside', 'secret.json'), path.join(data, 'workflows', 'leak-object.json'));
  expect(spawnSync('mkfifo', [path.join(data, 'workflows', 'pipe.json')]).status).toBe(0);
  server = await startServer(data);
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(top, { recursive: true, force: true });
});

test('GET /api/files lists links only when they stay inside, and never the size of a file outside', async () => {
  const { status, body } = await get(`${server.url}/api/files`);
  expect(status).toBe(200);
  const entries = body.entries as { name: string; kind: string; bytes?: number }[];
  expect(entries.find((e) => e.name === 'photos')).toEqual({ name: 'photos', kind: 'folder' });
  expect(entries.map((e) => e.name)).not.toContain('shadow'); // before: { kind: 'file', bytes: 54 }
  expect(entries.map((e) => e.name)).not.toContain('elsewhere');
  expect((await get(`${server.url}/api/files?path=elsewhere`)).status).toBe(403);
  const missing = await get(`${server.url}/api/files?path=examples/twemoji-style`);
  expect([missing.status, missing.body.message]).toEqual([
    404,
    'parameter "path": "examples/twemoji-style" does not exist; the example datasets are made by `npm run examples`',
  ]); // before: 403, as if it were an escape, and no word of the examples
});

test('a library workflow that links outside is neither read nor quoted nor listed', async () => {
  const one = await get(`${server.url}/api/workflows/leak`);
  expect(one.status).toBe(403);
  expect(one.body.message).toBe('leak.json is a link to a place outside the workflow folder; it is not read');
  expect(JSON.stringify(one.body)).not.toContain('TOP SECRET'); // before: the parse error quoted the file
  const all = await get(`${server.url}/api/workflows`);
  expect((all.body as { name: string }[]).map((w) => w.name)).not.toContain('leak');
});

test('renaming a library workflow with a new title reads it only as GET does: never through a link or a FIFO', async () => {
  const rename = (name: string, to: string) =>
    fetch(`${server.url}/api/workflows/${name}/rename`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to, title: 'Renamed' }),
      signal: AbortSignal.timeout(10_000), // a server blocked on the FIFO answers nothing
    }).then(async (r) => ({ status: r.status, text: await r.text() }));

  const quoted = await rename('leak', 'leak-renamed'); // before: 422 quoting the first characters of the file
  expect([quoted.status, quoted.text]).toEqual([403, expect.stringContaining('link to a place outside')]);
  expect(quoted.text).not.toContain('TOP SECRET');
  const copied = await rename('leak-object', 'copied'); // before: 200, and the outside file copied into the library
  expect(copied.status).toBe(403);
  const copy = await get(`${server.url}/api/workflows/copied`);
  expect([copy.status, JSON.stringify(copy.body)]).toEqual([404, expect.not.stringContaining('TOP SECRET')]);
  const blocked = await rename('pipe', 'pipe-renamed'); // before: the server blocked on the FIFO
  expect([blocked.status, blocked.text]).toEqual([403, expect.stringContaining('not a regular file')]);
  expect((await post(`${server.url}/api/workflows/nowhere/rename`, { to: 'x', title: 'X' })).status).toBe(404);
});
