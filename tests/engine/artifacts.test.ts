/** The artifact store: content-addressed, deduplicated, atomic, and refusing ids that are not hashes. */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArtifactStore } from '../../server/engine/artifacts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'loraflow-artifacts-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the same bytes stored twice give one file with an id of sha256 plus the extension of the mime type', async () => {
  const store = createArtifactStore(join(dir, 'store'));
  const a = await store.put(new TextEncoder().encode('hello'), 'image/png', 'a.png', { width: 2 });
  const b = await store.put(new TextEncoder().encode('hello'), 'image/png', 'b.png');
  expect(a.$artifact).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.png');
  expect(a).toMatchObject({ mime: 'image/png', name: 'a.png', bytes: 5, width: 2 });
  expect(b.$artifact).toBe(a.$artifact);
  expect(store.pathOf(a)).toBe(join(dir, 'store', '2c', a.$artifact));
  expect((await store.read(a.$artifact)).toString()).toBe('hello');
  expect(readdirSync(join(dir, 'store', '2c'))).toEqual([a.$artifact]); // no temp files left behind
});

test('a file is copied in by content and stays where it was', async () => {
  const store = createArtifactStore(join(dir, 'store'));
  const source = join(dir, 'lora.safetensors');
  writeFileSync(source, 'weights');
  const ref = await store.putFile(source, 'application/x-safetensors', 'lora.safetensors');
  expect(ref.$artifact).toMatch(/^[0-9a-f]{64}\.safetensors$/);
  expect(store.has(ref)).toBe(true);
  expect(existsSync(source)).toBe(true);
});

test('ids that are not hashes are refused (no path traversal through an artifact id)', () => {
  const store = createArtifactStore(join(dir, 'store'));
  expect(store.has('../../etc/passwd')).toBe(false);
  expect(() => store.pathOf('../../etc/passwd')).toThrow(/not an artifact id/);
  expect(() => store.pathOf('0'.repeat(64))).toThrow(/does not exist/);
});
