/**
 * Who may use a server and what it serves: the token on REST and WebSocket, the WebSocket Origin check,
 * the refusal to listen on the network without a token, the workflow library, uploads and the editor page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { BIN, del, get, startServer, tempDir, TEST_NODES, workflow } from './harness';

const TOKEN = 'a-long-s3cret-token';

const wsStatus = (url: string, headers: Record<string, string> = {}) =>
  new Promise<number>((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => (ws.close(), resolve(101)));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });

test('listening on a network interface without a token is refused with a clear message', () => {
  const res = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--data', tempDir()], {
    env: { ...process.env, LORAFLOW_TOKEN: '', LORAFLOW_EXTRA_NODES: TEST_NODES },
    encoding: 'utf8',
    timeout: 30000,
  });
  expect(res.status).toBe(1);
  expect(res.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token.*--token/s);
});

test('with a token, REST and WebSocket need it, and the WebSocket refuses foreign origins', async () => {
  const server = await startServer(tempDir(), ['--token', TOKEN]);
  try {
    const ws = server.url.replace(/^http/, 'ws') + '/ws';
    expect((await get(`${server.url}/api/health`)).status).toBe(200);
    expect((await get(`${server.url}/api/nodes`)).status).toBe(401);
    expect((await get(`${server.url}/api/nodes`, { authorization: 'Bearer wrong' })).status).toBe(401);
    const nodes = await get(`${server.url}/api/nodes`, { authorization: `Bearer ${TOKEN}` });
    expect(nodes.status).toBe(200);
    expect(nodes.body.map((s: { type: string }) => s.type)).toContain('TestSlowAdd');
    expect((await get(`${server.url}/api/runs?token=${TOKEN}`)).status).toBe(200);

    expect(await wsStatus(ws)).toBe(401);
    expect(await wsStatus(`${ws}?token=${TOKEN}`)).toBe(101);
    expect(await wsStatus(`${ws}?token=${TOKEN}`, { origin: 'https://evil.example' })).toBe(403);
    expect(await wsStatus(`${ws}?token=${TOKEN}`, { origin: server.url })).toBe(101);
  } finally {
    await server.stop();
  }
});

test('the workflow library saves, lists, reads and deletes user workflows; uploads land in the uploads folder', async () => {
  const data = tempDir();
  const server = await startServer(data);
  try {
    const wf = workflow('My training', [['n', 'TestNumber', { value: 7 }]]);
    const put = await fetch(`${server.url}/api/workflows/my-training`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(wf),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ name: 'my-training', title: 'My training', example: false });
    expect(fs.existsSync(path.join(data, 'workflows', 'my-training.json'))).toBe(true);
    const list = (await get(`${server.url}/api/workflows`)).body as { name: string; example: boolean }[];
    expect(list).toContainEqual(expect.objectContaining({ name: 'my-training', example: false }));
    const read = (await get(`${server.url}/api/workflows/my-training`)).body;
    expect(read.nodes[0]).toMatchObject({ id: 'n', params: { value: 7 } });
    expect(await del(`${server.url}/api/workflows/my-training`)).toBe(204);
    expect((await get(`${server.url}/api/workflows/my-training`)).status).toBe(404);

    const upload = await fetch(`${server.url}/api/uploads?name=${encodeURIComponent('../cat photo.png')}`, {
      method: 'POST',
      headers: { 'x-loraflow-upload': '1' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(upload.status).toBe(201);
    const { path: saved } = (await upload.json()) as { path: string };
    expect(saved).toBe(path.join(data, 'uploads', 'cat_photo.png'));
    expect(fs.readFileSync(saved)).toEqual(Buffer.from([1, 2, 3]));
    expect((await get(`${server.url}/api/roots`)).body.roots).toEqual([fs.realpathSync(data)]);

    const page = await fetch(`${server.url}/some/editor/route`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/html/);
  } finally {
    await server.stop();
  }
});
