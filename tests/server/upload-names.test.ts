/**
 * QA S8-F10: an upload named ".png" (a dot file, or a name whose stem was all dots such as "..png") was stored as
 * "png": the leading dots went and the extension with them, so LoadImages' uploads list named a file without one.
 * Such a name now keeps its extension after "upload" ("upload.png"); other names are kept as before.
 */
import { startServer, tempDir, type ServerProcess } from './harness';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer(tempDir());
}, 60_000);
afterAll(() => server.stop());

async function upload(name: string): Promise<string> {
  const res = await fetch(`${server.url}/api/uploads?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'x-loraflow-upload': '1', 'content-type': 'image/png' },
    body: new Uint8Array([137, 80, 78, 71]),
  });
  expect(res.status).toBe(201);
  const { path } = (await res.json()) as { path: string };
  return path.split('/').pop()!;
}

test.each([
  ['.png', /^upload(-\d+)?\.png$/],
  ['..png', /^upload(-\d+)?\.png$/],
  ['.hidden.png', /^hidden\.png$/],
  ['cat photo.png', /^cat_photo\.png$/],
  ['....', /^upload$/],
])('an upload named %p is stored with its extension', async (name, stored) => {
  expect(await upload(name)).toMatch(stored);
});
