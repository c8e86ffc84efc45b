/**
 * QA S8-F4: `loraflow validate big.json | head`, `| tee`, `| less` lost output: main.ts called process.exit as soon
 * as the command returned, while the lines a pipe had not taken yet (beyond its 64 KiB) still waited in Node's
 * buffer. `validate` of 3000 unconnected nodes printed 502 of its 1002 lines through `| tail`. The CLI now exits
 * only once stdout and stderr are flushed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, tempDir } from './harness';

function bigWorkflow(): string {
  const nodes = Array.from({ length: 3000 }, (_, i) => ({
    id: `n${i}`,
    type: 'Caption',
    params: {},
    position: { x: 0, y: i * 10 },
  }));
  const file = path.join(tempDir(), 'big.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      format: 'loraflow.workflow',
      formatVersion: 1,
      name: 'big',
      nodes,
      edges: [],
      groups: [],
      notes: [],
    }),
  );
  return file;
}

test('every line of a long validate report reaches a pipe that is read late', () => {
  // The shell's reader sleeps first, so the pipe fills and the rest of the report waits in the CLI's buffer.
  const command = `"${process.execPath}" "${BIN}" validate "${bigWorkflow()}" --data "${tempDir()}" | (sleep 4; cat)`;
  const res = spawnSync('sh', ['-c', command], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
    env: { ...process.env, LORAFLOW_TOKEN: '' },
  });
  expect(res.signal).toBeNull();
  const text = res.stdout;
  expect(text).toMatch(/^1000 validation errors:/);
  expect(text).toContain('  n999: node "n999" (Caption)');
  expect(text.trimEnd()).toMatch(/\(validation stopped at the first 1000 errors[^)]*\)$/);
}, 60_000);
