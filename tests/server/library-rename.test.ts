/** Renaming a library workflow renames its file and, given a title, the workflow's own name (what the list shows). */
import fs from 'node:fs';
import path from 'node:path';
import { get, post, useServer, workflow } from './harness';

const server = useServer();

test('a rename with a title rewrites the name inside the file, keeps the rest and lists the new title', async () => {
  const wf = { ...workflow('My style LoRA', [['n', 'TestNumber', { value: 2 }]]), futureField: { keep: true } };
  const put = await fetch(`${server.url}/api/workflows/my-style-lora`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(wf),
  });
  expect(put.ok).toBe(true);
  const res = await post(`${server.url}/api/workflows/my-style-lora/rename`, {
    to: 'renamed-style',
    title: 'renamed style',
  });
  expect(res.body).toMatchObject({ name: 'renamed-style' });
  const dir = path.join(server.data, 'workflows');
  expect(fs.existsSync(path.join(dir, 'my-style-lora.json'))).toBe(false);
  const stored = JSON.parse(fs.readFileSync(path.join(dir, 'renamed-style.json'), 'utf8'));
  expect(stored).toMatchObject({ name: 'renamed style', futureField: { keep: true } });
  expect(stored.nodes).toEqual(wf.nodes);
  const listed = (await get(`${server.url}/api/workflows`)).body as { name: string; title: string }[];
  expect(listed.find((w) => w.name === 'renamed-style')?.title).toBe('renamed style');
  expect(fs.readdirSync(dir).filter((f) => f.includes('tmp'))).toEqual([]);
});
