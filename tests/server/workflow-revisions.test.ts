/**
 * QA S6-F15: two windows (or a window and a script) open the same library workflow and both save; the second save
 * silently replaced the first one's changes. Now GET sends the file's revision (ETag), a save that sends it back
 * (If-Match) is refused with a 409 naming the workflow when someone saved in between, and a save without If-Match
 * replaces the file as before. Against a real server process on a loopback port.
 */
import fs from 'node:fs';
import path from 'node:path';
import { get, post, useServer, workflow } from './harness';

const server = useServer();

const url = (name: string) => `${server.url}/api/workflows/${name}`;

async function read(name: string): Promise<{ etag: string | null; body: { name: string } }> {
  const res = await fetch(url(name));
  return { etag: res.headers.get('etag'), body: (await res.json()) as { name: string } };
}

async function save(name: string, body: unknown, ifMatch?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (ifMatch !== undefined) headers['if-match'] = ifMatch;
  const res = await fetch(url(name), { method: 'PUT', headers, body: JSON.stringify(body) });
  return { status: res.status, etag: res.headers.get('etag'), body: (await res.json()) as Record<string, unknown> };
}

test('a save of a stale revision is a 409 naming the workflow; the first save stays', async () => {
  expect((await save('shared', workflow('original', []))).status).toBe(200);
  const a = await read('shared');
  const b = await read('shared');
  expect(a.etag).toMatch(/^"[\w-]+"$/);
  expect(b.etag).toBe(a.etag);

  const first = await save('shared', workflow('edited in A', []), a.etag!);
  expect(first.status).toBe(200);
  expect(first.etag).not.toBe(a.etag);
  expect(`"${String(first.body.revision)}"`).toBe(first.etag);

  const second = await save('shared', workflow('edited in B', []), b.etag!);
  expect(second.status).toBe(409);
  expect(second.body).toMatchObject({ error: 'conflict', revision: first.body.revision });
  expect(second.body.message).toMatch(/"shared" was changed since you opened it/);
  expect((await read('shared')).body.name).toBe('edited in A');

  // B sees A's revision in the 409 and may overwrite knowingly with it.
  const overwrite = await save('shared', workflow('edited in B', []), `"${String(second.body.revision)}"`);
  expect(overwrite.status).toBe(200);
  expect((await read('shared')).body.name).toBe('edited in B');
});

test('saves without If-Match (scripts, older clients) replace the file as before; "*" needs a file', async () => {
  expect((await save('scripted', workflow('one', []))).status).toBe(200);
  expect((await save('scripted', workflow('two', []))).status).toBe(200);
  expect((await read('scripted')).body.name).toBe('two');
  expect((await save('scripted', workflow('three', []), '*')).status).toBe(200);
  const fresh = await save('never-saved', workflow('x', []), '*');
  expect(fresh.status).toBe(409);
  expect(fresh.body).toMatchObject({ error: 'conflict', revision: null });
  expect(fresh.body.message).toMatch(/"never-saved" was deleted from the library/);
});

test('a change made outside the server (a text editor, another process) is a new revision too', async () => {
  await save('outside', workflow('mine', []));
  const { etag } = await read('outside');
  const file = path.join(server.data, 'workflows', 'outside.json');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"mine"', '"theirs"'));
  const res = await save('outside', workflow('mine, later', []), etag!);
  expect(res.status).toBe(409);
  expect((await read('outside')).body.name).toBe('theirs');
  // No temp file of the refused save is left next to the workflows.
  expect(fs.readdirSync(path.join(server.data, 'workflows')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('the listing carries each revision; a rename says the revisions before and after', async () => {
  await save('to-rename', workflow('before', []));
  const { etag } = await read('to-rename');
  const listed = (await get(`${server.url}/api/workflows`)).body as { name: string; revision: string }[];
  expect(`"${listed.find((w) => w.name === 'to-rename')?.revision}"`).toBe(etag);
  const renamed = await post(`${url('to-rename')}/rename`, { to: 'renamed-one', title: 'after' });
  expect(renamed.body).toMatchObject({ name: 'renamed-one', previousRevision: etag!.slice(1, -1) });
  expect(`"${renamed.body.revision}"`).toBe((await read('renamed-one')).etag);
  expect(renamed.body.revision).not.toBe(renamed.body.previousRevision);
});

test('an example stays read-only whatever If-Match says', async () => {
  const example = await read('quickstart-style-lora');
  const res = await save('quickstart-style-lora', example.body, example.etag!);
  expect(res.status).toBe(409);
  expect(res.body.error).toBe('read-only');
});
