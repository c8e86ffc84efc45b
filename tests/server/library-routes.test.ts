/**
 * The library's shipped examples stay as shipped (PUT refused, rename and restore), the template gallery, and the
 * download of a file a node wrote: against a real server process on a loopback port.
 */
import fs from 'node:fs';
import path from 'node:path';
import { get, post, REPO, useServer } from './harness';

const server = useServer();

const put = async (name: string, body: unknown) =>
  (
    await fetch(`${server.url}/api/workflows/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  ).status;

test('saving under an example’s name is refused; a user workflow is renamed; restore removes copies over examples', async () => {
  const example = (await get(`${server.url}/api/workflows/quickstart-style-lora`)).body;
  expect(await put('quickstart-style-lora', { ...example, name: 'changed' })).toBe(409);
  expect(await put('mine', example)).toBe(200);
  expect((await post(`${server.url}/api/workflows/mine/rename`, { to: 'quickstart-style-lora' })).status).toBe(409);
  expect((await post(`${server.url}/api/workflows/mine/rename`, { to: 'renamed' })).body).toMatchObject({
    name: 'renamed',
  });
  expect(fs.existsSync(path.join(server.data, 'workflows', 'renamed.json'))).toBe(true);
  // A copy written over an example by an older version: listed instead of it until restored.
  fs.writeFileSync(
    path.join(server.data, 'workflows', 'quickstart-style-lora.json'),
    JSON.stringify({ ...example, name: 'copy' }),
  );
  expect((await get(`${server.url}/api/workflows/quickstart-style-lora`)).body.name).toBe('copy');
  expect((await get(`${server.url}/api/workflows/quickstart-style-lora?source=example`)).body.name).toBe(example.name);
  expect((await post(`${server.url}/api/workflow-examples/restore`, {})).body).toEqual({
    restored: ['quickstart-style-lora'],
  });
  expect((await get(`${server.url}/api/workflows/quickstart-style-lora`)).body.name).toBe(example.name);
});

test('the template gallery lists the quick start first, then the scenarios, each readable', async () => {
  const list = (await get(`${server.url}/api/templates`)).body as {
    name: string;
    scenario: string;
    nodes: unknown[];
  }[];
  expect(list[0]).toMatchObject({ name: 'quickstart-style-lora', scenario: 'style' });
  // The folder also holds the cards' pictures: count the workflow files.
  const templateFiles = fs.readdirSync(path.join(REPO, 'workflows/templates')).filter((f) => f.endsWith('.json'));
  expect(list.length).toBe(1 + templateFiles.length);
  const stack = (await get(`${server.url}/api/templates/stack-two-loras`)).body;
  expect(stack.nodes.filter((n: { type: string }) => n.type === 'LoadLoRA')).toHaveLength(2);
  expect((await get(`${server.url}/api/templates/..%2Fquickstart`)).status).toBe(404);
});

test('a file a node wrote downloads by its path; paths outside the allowed folders are refused', async () => {
  fs.mkdirSync(path.join(server.data, 'loras'), { recursive: true });
  fs.writeFileSync(path.join(server.data, 'loras', 'style.safetensors'), 'weights');
  const res = await fetch(
    `${server.url}/api/download?path=${encodeURIComponent(path.join(server.data, 'loras/style.safetensors'))}`,
  );
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toContain('style.safetensors');
  expect(await res.text()).toBe('weights');
  expect((await get(`${server.url}/api/download?path=/etc/passwd`)).status).toBe(403);
});
