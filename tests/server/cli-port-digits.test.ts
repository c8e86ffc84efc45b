/**
 * QA S8-F2: `loraflow serve --port 1e3` listened on 1000 and `--port 0x1F90` on 8080: the value went through
 * Number(), which reads exponents, hex and '8420.0'. A typo such as 8e3 then served on another port without a word.
 * --port now takes decimal digits only; `--port 8500` works as before.
 */
import { spawnSync } from 'node:child_process';
import { BIN, tempDir } from './harness';

const serve = (port: string) =>
  spawnSync(process.execPath, [BIN, 'serve', '--port', port, '--data', tempDir()], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, LORAFLOW_TOKEN: '' },
  });

test.each(['1e3', '0x1F90', '8420.0', ' 8420', ''])('--port %p is refused naming the value', (port) => {
  const res = serve(port);
  expect(res.signal).toBeNull(); // not left serving until the timeout
  expect(res.status).toBe(1);
  expect(res.stderr).toContain(`--port expects a number, got "${port}"`);
});
