/**
 * The editor's files as the server serves them while the build comes and goes (npm run build:client replaces
 * client/dist): an express app with serveEditor on a loopback port and a real dist folder.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { serveEditor } from '../../server/http/static';

const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

/** A dist folder (with an index.html when `built`) and an app serving it; returns both. */
async function editorServer(built: boolean): Promise<{ dist: string; url: string }> {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-dist-'));
  if (built) fs.writeFileSync(path.join(dist, 'index.html'), '<title>the editor</title>');
  const app = express();
  serveEditor(app, dist);
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { dist, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('before the build: a page that says how to build it; after: the editor, without a restart', async () => {
  const { dist, url } = await editorServer(false);
  const before = await fetch(`${url}/`);
  expect(before.status).toBe(503);
  expect(await before.text()).toContain('npm run build:client');

  fs.writeFileSync(path.join(dist, 'index.html'), '<title>the editor</title>');
  for (const route of ['/', '/some/client/route']) {
    const after = await fetch(`${url}${route}`);
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('the editor');
  }
});

test('while the build is replaced: the not-built page, never an error naming the server folders', async () => {
  const { dist, url } = await editorServer(true);
  fs.rmSync(path.join(dist, 'index.html'));
  const res = await fetch(`${url}/runs/1`);
  const body = await res.text();
  expect(res.status).toBe(503);
  expect(body).toContain('npm run build:client');
  expect(body).not.toContain(dist);
  expect(body).not.toContain('ENOENT');
});
