/** The path policy: node parameters that name files stay inside the allowed folders, links and `..` included. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPathPolicy, PathError } from '../../server/engine/paths';

let top: string;
let root: string;
let outsideDir: string;
beforeEach(() => {
  top = realpathSync(mkdtempSync(join(tmpdir(), 'loraflow-paths-')));
  root = join(top, 'data');
  outsideDir = join(top, 'secret');
  mkdirSync(join(root, 'images'), { recursive: true });
  mkdirSync(outsideDir);
  writeFileSync(join(root, 'images', 'a.png'), 'x');
  writeFileSync(join(outsideDir, 'passwd'), 'x');
});
afterEach(() => rmSync(top, { recursive: true, force: true }));

/*
 *   top/
 *   ├── data/            <- the allowed root
 *   │   ├── images/a.png
 *   │   ├── link -> ../secret     (symlink leading outside)
 *   │   └── inside-link -> images (symlink staying inside)
 *   └── secret/passwd
 */
test('relative paths resolve against the first root; absolute paths inside a root are fine', () => {
  const policy = createPathPolicy([root]);
  expect(policy.resolve('images/a.png', 'read')).toBe(join(root, 'images', 'a.png'));
  expect(policy.resolve(join(root, 'images'), 'read')).toBe(join(root, 'images'));
});

test('`..` leading outside is refused, naming the parameter', () => {
  const policy = createPathPolicy([root]);
  expect(() => policy.resolve('../secret/passwd', 'read', 'folder')).toThrow(PathError);
  expect(() => policy.resolve('../secret/passwd', 'read', 'folder')).toThrow(
    /parameter "folder": "..\/secret\/passwd" is outside the allowed folders/,
  );
  expect(() => policy.resolve('images/../../secret', 'write')).toThrow(/outside the allowed folders/);
  expect(policy.resolve('images/../images/a.png', 'read')).toBe(join(root, 'images', 'a.png'));
});

test('a symlink pointing outside is refused; one staying inside is followed', () => {
  symlinkSync(outsideDir, join(root, 'link'));
  symlinkSync(join(root, 'images'), join(root, 'inside-link'));
  const policy = createPathPolicy([root]);
  expect(() => policy.resolve('link/passwd', 'read')).toThrow(/outside the allowed folders/);
  expect(() => policy.resolve('link/new-file.txt', 'write')).toThrow(/outside the allowed folders/);
  expect(policy.resolve('inside-link/a.png', 'read')).toBe(join(root, 'images', 'a.png'));
});

test('writing to a path that does not exist yet checks its nearest existing ancestor', () => {
  const policy = createPathPolicy([root]);
  expect(policy.resolve('out/run1/lora.safetensors', 'write')).toBe(join(root, 'out', 'run1', 'lora.safetensors'));
  expect(() => policy.resolve('missing.png', 'read', 'image')).toThrow(
    /parameter "image": "missing.png" does not exist/,
  );
});

test('a second allowed root works; an empty path is refused', () => {
  const policy = createPathPolicy([root, outsideDir]);
  expect(policy.resolve(join(outsideDir, 'passwd'), 'read')).toBe(join(outsideDir, 'passwd'));
  expect(() => policy.resolve('', 'read', 'folder')).toThrow(/parameter "folder": no path given/);
});
