/**
 * LoadImages' Repeats: kohya's dataset config gives `num_repeats` for a folder whose name says nothing (and
 * ignores the name even when it says `5_x`), so an imported config must be able to set it on the node.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadImages } from '../../nodes/dataset/load-images';
import type { Dataset } from '../../nodes/dataset/types';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { marked } from './fixtures';

let ctx: TestNodeContext;
beforeEach(() => {
  ctx = tempContext('repeats');
});
afterEach(() => ctx.cleanup());

async function repeatsOf(params: Record<string, string | number>): Promise<number[]> {
  const ds = (await runNode(loadImages, params, {}, ctx)).dataset as unknown as Dataset;
  return ds.items.map((i) => i.repeats);
}

test('Repeats 0 takes them from <repeats>_<name> folder names; N sets every image to N', async () => {
  mkdirSync(join(ctx.root, 'set', '5_red'), { recursive: true });
  mkdirSync(join(ctx.root, 'plain'), { recursive: true });
  await marked(16, 16, { r: 255, g: 0, b: 0 })
    .png()
    .toFile(join(ctx.root, 'set', '5_red', 'a.png'));
  await marked(16, 16, { r: 0, g: 0, b: 255 })
    .png()
    .toFile(join(ctx.root, 'plain', 'b.png'));
  expect(await repeatsOf({ folder: 'set' })).toEqual([5]);
  expect(await repeatsOf({ folder: 'plain' })).toEqual([1]);
  expect(await repeatsOf({ folder: 'plain', repeats: 10 })).toEqual([10]);
  expect(await repeatsOf({ folder: 'set', repeats: 2 })).toEqual([2]);
});
