/**
 * The REST routes that touch files, on a real server: the folder browser does not tell the type or size of what a
 * link outside points to, and the workflow library does not read (or quote) a workflow file that links outside.
 *
 *   top/data/            <- the data folder
 *   │   ├── shadow -> ../outside/secret.txt    (a link to a file outside)
 *   │   ├── elsewhere -> ../outside            (a link to a folder outside)
 *   │   ├── photos -> images                   (a link that stays inside: shown as what it points to)
 *   │   └── workflows/leak.json -> ../../outside/secret.txt
 *   top/outside/secret.txt
 */
import fs from 'node:fs';
import path from 'node:path';
import { get, startServer, tempDir, type ServerProcess } from './harness';

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
