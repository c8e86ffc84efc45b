/**
 * Reading a file of the workflow library. A file there may be a link (users keep workflows in a synced folder); it
 * is read only when it leads to a regular file inside the same library folder. A link to /etc/passwd must not be
 * read at all: the parse error would show its first characters. A FIFO would block the server's only thread.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Why a library file is not read; the message names the workflow, never the contents or the target. */
export class LibraryFileError extends Error {
  constructor(
    message: string,
    readonly status: 403 | 404,
  ) {
    super(message);
    this.name = 'LibraryFileError';
  }
}

function inside(child: string, dir: string): boolean {
  const rel = path.relative(dir, child);
  return rel !== '' && !path.isAbsolute(rel) && rel.split(path.sep)[0] !== '..';
}

/** Whether `dir/file` exists at all (a dangling link counts: it is reported, not silently skipped). */
export function libraryFileExists(dir: string, file: string): boolean {
  return fs.lstatSync(path.join(dir, file), { throwIfNoEntry: false }) !== undefined;
}

/** The text of `dir/file`, or a LibraryFileError saying why it is not read. */
export function readLibraryFile(dir: string, file: string): string {
  const full = path.join(dir, file);
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ELOOP' ? 'is a link that loops' : code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`;
    throw new LibraryFileError(`${file} ${why}`, code === 'ENOENT' ? 404 : 403);
  }
  if (!inside(real, fs.realpathSync(dir)))
    throw new LibraryFileError(`${file} is a link to a place outside the workflow folder; it is not read`, 403);
  if (!fs.statSync(real).isFile()) throw new LibraryFileError(`${file} is not a regular file; it is not read`, 403);
  return fs.readFileSync(real, 'utf8');
}
