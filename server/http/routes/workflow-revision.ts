/**
 * Revisions of library workflows, so that two editors (or an editor and a script) saving the same workflow do not
 * silently overwrite each other (QA S6-F15). A revision is a digest of the file's bytes, not its mtime: any change,
 * by this server, another process or a text editor, gives a new one, and two saves of the same content agree.
 * GET sends it as the ETag; a PUT with If-Match is refused with a 409 when the file has moved on. A PUT without
 * If-Match replaces the file as before.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { WorkflowConflict } from '../../../protocol/api';
import { LibraryFileError, readLibraryFile } from './library-file';

/** The revision of a library file's text. */
export function revisionOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** The revision of `dir/name.json` now; undefined when there is no such file (or it is not one the library reads). */
export function currentRevision(dir: string, name: string): string | undefined {
  try {
    return revisionOf(readLibraryFile(dir, `${name}.json`));
  } catch (err) {
    if (err instanceof LibraryFileError) return undefined;
    throw err;
  }
}

/** Sends the revision as a strong ETag; the editor re-reads a workflow rather than trust a cached copy. */
export function setRevision(res: Response, revision: string): void {
  res.set('ETag', `"${revision}"`);
  res.set('Cache-Control', 'no-cache');
}

/**
 * The revisions an If-Match header names (RFC 9110: `"a", "b"`, `*`; W/ tags and bare tokens from hand-written
 * scripts are read too); undefined without the header.
 */
export function ifMatchOf(req: Request): string[] | undefined {
  const header = req.get('if-match');
  if (header === undefined) return undefined;
  return header
    .split(',')
    .map((t) =>
      t
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .filter(Boolean);
}

/**
 * Whether a save may replace the file: yes without If-Match; with it, when the file is still one of the named
 * revisions (`*`: when there is a file at all). Answers the 409 itself when not; the message names the workflow.
 */
export function saveAllowed(req: Request, res: Response, name: string, current: string | undefined): boolean {
  const wanted = ifMatchOf(req);
  if (wanted === undefined) return true;
  if (current !== undefined && (wanted.includes('*') || wanted.includes(current))) return true;
  const what =
    current === undefined
      ? `the workflow "${name}" was deleted from the library since you opened it`
      : `the workflow "${name}" was changed since you opened it (by another window or a script)`;
  const body: WorkflowConflict = {
    error: 'conflict',
    message: `${what}: saving would overwrite those changes. Reload it, save yours under another name, or save again without If-Match to overwrite.`,
    revision: current ?? null,
  };
  res.status(409).json(body);
  return false;
}
