/** The path policy: node parameters that name files stay inside the allowed folders, links and `..` included. */
import { execFileSync } from 'node:child_process';
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

test('a dangling link and a looping link are refused with their own reasons, for reading and for writing', () => {
  symlinkSync(join(outsideDir, 'not-there'), join(root, 'dangling'));
  symlinkSync('loop-b', join(root, 'loop-a'));
  symlinkSync('loop-a', join(root, 'loop-b'));
  const policy = createPathPolicy([root]);
  for (const access of ['read', 'write'] as const) {
    // Writing through the dangling link would create a file outside: it must not look like "missing, fine".
    expect(() => policy.resolve('dangling', access, 'file')).toThrow(
      expect.objectContaining({
        reason: 'dangling-link',
        message: expect.stringMatching(/^parameter "file": .*target does not exist/),
      }),
    );
    expect(() => policy.resolve('loop-a/x.png', access, 'file')).toThrow(
      expect.objectContaining({ reason: 'link-loop', message: expect.stringContaining('loops') }),
    );
  }
});

test('NUL characters, over-long names and ~ are refused with a reason naming the parameter', () => {
  const policy = createPathPolicy([root]);
  expect(() => policy.resolve('images/a\0.png', 'read', 'folder')).toThrow(
    expect.objectContaining({ reason: 'nul', param: 'folder' }),
  );
  expect(() => policy.resolve('x'.repeat(300), 'write', 'folder')).toThrow(
    expect.objectContaining({ reason: 'too-long', message: expect.stringContaining('parameter "folder"') }),
  );
  expect(() => policy.resolve('~/x', 'write', 'folder')).toThrow(expect.objectContaining({ reason: 'outside' }));
});

test('a missing folder says it does not exist, and a missing example says how to make it', () => {
  const policy = createPathPolicy([root]);
  expect(() => policy.resolve('examples/twemoji-style', 'read', 'folder')).toThrow(
    /parameter "folder": "examples\/twemoji-style" does not exist; the example datasets are made by `npm run examples`/,
  );
  expect(() => policy.resolve('photos', 'read', 'folder')).toThrow(
    expect.objectContaining({ reason: 'missing', message: 'parameter "folder": "photos" does not exist' }),
  );
  // "check" is what the engine uses before a run: a file a node will make later is fine, an escape is not.
  expect(policy.resolve('loras/new.safetensors', 'check', 'file')).toBe(join(root, 'loras', 'new.safetensors'));
  expect(() => policy.resolve('../secret/x', 'check', 'file')).toThrow(/outside the allowed folders/);
});

test('names are one safe component; extensions get their dot', () => {
  const policy = createPathPolicy([root]);
  expect(policy.name('my_lora-v2.1', 'outputName')).toBe('my_lora-v2.1');
  for (const bad of ['..', '.', '', 'a/b', 'a\\b', '../../x', 'a\0b', '~x', 'x'.repeat(201)])
    expect(() => policy.name(bad, 'outputName')).toThrow(
      expect.objectContaining({
        reason: 'not-a-name',
        param: 'outputName',
        message: expect.stringMatching(/^parameter "outputName": the name/),
      }),
    );
  expect(policy.extension('txt', 'captionExtension')).toBe('.txt');
  expect(policy.extension('.caption', 'captionExtension')).toBe('.caption');
  for (const bad of ['.x/../../etc/hostname', '..', '.', '.a b', '.\0'])
    expect(() => policy.extension(bad, 'captionExtension')).toThrow(/parameter "captionExtension": the extension/);
});

test('a FIFO, reached directly or through a link, is refused for every access: opening it would block', () => {
  execFileSync('mkfifo', [join(root, 'images', 'pipe.png')]);
  symlinkSync(join(root, 'images', 'pipe.png'), join(root, 'to-pipe'));
  const policy = createPathPolicy([root]);
  for (const access of ['read', 'write', 'check'] as const)
    for (const p of ['images/pipe.png', 'to-pipe'])
      expect(() => policy.resolve(p, access, 'file')).toThrow(
        expect.objectContaining({ reason: 'not-a-file', message: expect.stringContaining('is a named pipe (FIFO)') }),
      );
  expect(policy.resolve('images', 'read')).toBe(join(root, 'images'));
});
