/**
 * `loraflow validate` used to say "valid" for `folder: "../../etc"` and for a folder that does not exist, and the
 * run then failed. It now runs the engine's path checks with the folders `run` would allow (--data, --allow) and
 * prints each refusal as an error naming the node and the parameter. A JSON syntax error says line and column.
 *
 *   images (LoadImages, folder = …)
 */
import fs from 'node:fs';
import path from 'node:path';
import { runLoraflow, tempDir, workflow } from './harness';

const loraflow = (args: string[]) => runLoraflow(args);

const dir = tempDir();
const data = path.join(dir, 'data');
fs.mkdirSync(path.join(data, 'my-images'), { recursive: true });

function loadImagesFrom(folder: string): string {
  const file = path.join(dir, `load-${fs.readdirSync(dir).length}.json`);
  fs.writeFileSync(file, JSON.stringify(workflow('load', [['images', 'LoadImages', { folder }, 'My images']])));
  return file;
}

test('a folder outside the allowed folders is an error naming node and parameter', async () => {
  const res = await loraflow(['validate', loadImagesFrom('../../etc'), '--data', data]);
  expect(res.code).toBe(1);
  expect(res.stdout).toMatch(/node "images" .*LoadImages.*parameter "folder".*outside/i);
  expect(res.stdout).not.toMatch(/: valid/);
});

test('a folder that does not exist is an error naming node and parameter', async () => {
  const res = await loraflow(['validate', loadImagesFrom('no-such-folder'), '--data', data]);
  expect(res.code).toBe(1);
  expect(res.stdout).toMatch(/node "images" .*parameter "folder".*does not exist/);
});

test('a folder inside the data folder, or one given with --allow, is valid', async () => {
  expect((await loraflow(['validate', loadImagesFrom('my-images'), '--data', data])).code).toBe(0);
  const elsewhere = tempDir('loraflow-allowed-');
  const outside = loadImagesFrom(elsewhere);
  expect((await loraflow(['validate', outside, '--data', data])).code).toBe(1);
  const allowed = await loraflow(['validate', outside, '--data', data, '--allow', data, '--allow', elsewhere]);
  expect(allowed.stdout).toMatch(/: valid/);
  expect(allowed.code).toBe(0);
});

test('a JSON syntax error names line and column, for validate and for run', async () => {
  const file = path.join(dir, 'broken.json');
  fs.writeFileSync(file, '{\n  "format": "loraflow.workflow",\n  "nodes": [,]\n}\n');
  for (const command of ['validate', 'run']) {
    const res = await loraflow([command, file, '--data', data]);
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toMatch(/line 3, column 13/);
  }
});
