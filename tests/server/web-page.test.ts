/**
 * A web page open in the user's browser tries to drive the local server (no token, 127.0.0.1): a cross-site form,
 * a text/plain "simple" request, and DNS rebinding (the attacker's domain resolving to 127.0.0.1, sent as Host).
 * Each is refused; the editor's own requests, as the real client module sends them, still work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { api } from '../../client/src/api/http';
import { BIN, get, rawRequest, startServer, tempDir, TEST_NODES, workflow, type ServerProcess } from './harness';

let server: ServerProcess;
let data: string;
let host: string;

beforeAll(async () => {
  data = tempDir();
  server = await startServer(data);
  host = new URL(server.url).host;
});

afterAll(async () => {
  await server.stop();
});

const uploads = () => (fs.existsSync(path.join(data, 'uploads')) ? fs.readdirSync(path.join(data, 'uploads')) : []);

/** What a cross-site page's browser sends along with its request. */
const fromEvilPage = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

async function startSlowRun(): Promise<string> {
  const wf = workflow('slow', [
    ['a', 'TestNumber', { value: 1 }],
    ['s', 'TestSlowAdd', { ms: 60000, steps: 600 }],
  ]);
  wf.edges.push({ id: 'e', from: { node: 'a', socket: 'value' }, to: { node: 's', socket: 'a' } });
  const res = await rawRequest(`${server.url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ workflow: wf }),
  });
  expect(res.status).toBe(201);
  return (JSON.parse(res.body) as { id: string }).id;
}

test('a cross-site form POST to /api/uploads writes nothing', async () => {
  const form = '--b\r\nContent-Disposition: form-data; name="f"; filename="x.png"\r\n\r\nPNG\r\n--b--\r\n';
  const asForm = await rawRequest(`${server.url}/api/uploads?name=x.png`, {
    method: 'POST',
    headers: { ...fromEvilPage, 'content-type': 'multipart/form-data; boundary=b' },
    body: form,
  });
  expect(asForm.status).toBe(403);
  expect(JSON.parse(asForm.body)).toMatchObject({ error: 'cross-site' });
  // A browser that hides the Origin still cannot add the upload header to a form.
  const noOrigin = await rawRequest(`${server.url}/api/uploads?name=x.png`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'PNG',
  });
  expect(noOrigin.status).toBe(415);
  expect(JSON.parse(noOrigin.body).message).toMatch(/X-Loraflow-Upload/);
  expect(uploads()).toEqual([]);
});

test('a cross-site text/plain POST cannot cancel a run', async () => {
  const id = await startSlowRun();
  try {
    const plain = await rawRequest(`${server.url}/api/runs/${id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(plain.status).toBe(415);
    expect(JSON.parse(plain.body).message).toMatch(/Content-Type: application\/json/);
    const foreign = await rawRequest(`${server.url}/api/runs/${id}/cancel`, {
      method: 'POST',
      headers: { ...fromEvilPage, 'content-type': 'application/json' },
    });
    expect(foreign.status).toBe(403);
    // Another program's page on this machine is another site too.
    const otherLocalPage = await rawRequest(`${server.url}/api/runs/${id}/cancel`, {
      method: 'POST',
      headers: { origin: 'http://localhost:1', 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
    });
    expect(otherLocalPage.status).toBe(403);
    const sandboxed = await rawRequest(`${server.url}/api/runs/${id}/cancel`, {
      method: 'POST',
      headers: { origin: 'null', 'content-type': 'application/json' },
    });
    expect(sandboxed.status).toBe(403);
    expect((await get(`${server.url}/api/runs/${id}`)).body.status).toMatch(/queued|running/);
  } finally {
    await api.cancelRun(id).catch(() => undefined);
  }
});

test('a foreign Host (DNS rebinding) is refused on REST, the editor page and the WebSocket', async () => {
  for (const p of ['/api/files', '/api/health', '/', '/api/runs']) {
    const res = await rawRequest(`${server.url}${p}`, {
      headers: { host: `evil.example:${new URL(server.url).port}` },
    });
    expect([p, res.status]).toEqual([p, 403]);
    expect(res.body).not.toContain(data);
  }
  expect((await rawRequest(`${server.url}/api/files`, { headers: { host: 'evil.example' } })).status).toBe(403);
  const upgrade = {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  };
  const wsEvil = await rawRequest(`${server.url}/ws`, { headers: { ...upgrade, host: 'evil.example' } });
  expect(wsEvil.status).toBe(403);
  const wsForeignOrigin = await rawRequest(`${server.url}/ws`, {
    headers: { ...upgrade, host, origin: 'http://evil.example' },
  });
  expect(wsForeignOrigin.status).toBe(403);
  for (const own of [host, `localhost:${new URL(server.url).port}`]) {
    expect((await rawRequest(`${server.url}/ws`, { headers: { ...upgrade, host: own } })).status).toBe(101);
    expect((await rawRequest(`${server.url}/api/health`, { headers: { host: own } })).status).toBe(200);
  }
});

test("the editor's own requests (the client module, as a browser on the page sends them) still work", async () => {
  const realFetch = globalThis.fetch;
  const sent: string[] = [];
  // What Chromium adds to the editor's fetches: its Origin and Sec-Fetch-Site same-origin.
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const headers = {
      ...(init?.headers as Record<string, string>),
      origin: server.url,
      'sec-fetch-site': 'same-origin',
    };
    sent.push(`${init?.method ?? 'GET'} ${String(input)}`);
    return realFetch(`${server.url}${String(input)}`, { ...init, headers });
  };
  try {
    expect((await api.nodes()).map((s) => s.type)).toContain('TestSlowAdd');
    const saved = await api.saveWorkflow('mine', workflow('Mine', [['n', 'TestNumber', { value: 2 }]]));
    expect(saved.name).toBe('mine');
    const { path: file } = await api.upload('cat.png', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }));
    expect(fs.readFileSync(file)).toEqual(Buffer.from([1, 2, 3]));
    const id = await startSlowRun();
    expect((await api.cancelRun(id)).id).toBe(id);
    expect((await api.submitRun(workflow('ok', [['n', 'TestNumber']]))).id).toEqual(expect.any(String));
    await expect(api.removeQueued('no-such-run')).rejects.toMatchObject({ status: 404 });
    expect(sent.length).toBeGreaterThan(5);
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('weak tokens are refused at start-up with a clear message', () => {
  for (const token of [' ', 'a', '', 'aaaaaaaaaaaaaaaaaaaa', ' padded-but-long-enough-token ']) {
    const res = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data', tempDir(), '--token', token], {
      env: { ...process.env, LORAFLOW_TOKEN: '', LORAFLOW_EXTRA_NODES: TEST_NODES },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect([token, res.status]).toEqual([token, 1]);
    expect(res.stderr).toMatch(/the token is .*at least 16 characters/);
  }
});
