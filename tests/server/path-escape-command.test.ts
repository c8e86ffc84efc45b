/**
 * `npm run security:paths` at a small count, so CI runs it: a real server on loopback, the first tricks on every
 * path-like node parameter and route; nothing may get through and nothing outside the data folder may change.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

test('the path-escape command finds no escape and no file changed outside', () => {
  const run = spawnSync(
    process.execPath,
    [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), 'scripts/path-escape.ts', '--count', '3'],
    { cwd: REPO, encoding: 'utf8', timeout: 120_000 },
  );
  const summary = /path escapes: tried (\d+), refused (\d+), escapes (\d+), files changed outside (\d+)/.exec(
    run.stdout,
  );
  expect(summary).not.toBeNull();
  const [tried, refused, escapes, changed] = summary!.slice(1).map(Number);
  expect({ escapes, changed, exit: run.status }).toEqual({ escapes: 0, changed: 0, exit: 0 });
  expect(refused).toBe(tried);
  expect(tried).toBeGreaterThan(50); // every node parameter and route was tried, not just a few
}, 150_000);
