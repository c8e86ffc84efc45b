import { NodeUserError, type PathRefusal } from '../../nodes/api';
import type { NodeError } from '../../protocol/messages';
import { PathError } from './paths';

const BY_CODE: Record<string, string> = {
  ENOENT: 'A file or folder it needs does not exist: check the path parameters, or rerun the node that makes it.',
  EACCES: 'Permission denied: check that loraflow may read (or write) that file or folder.',
  EPERM: 'The operation is not permitted: check the file permissions.',
  ENOSPC: 'The disk is full: free some space (old runs and artifacts live in the data folder).',
  EMFILE: 'Too many open files: lower the number of CPU slots or raise the open-files limit (ulimit -n).',
  EISDIR: 'A folder was given where a file is expected.',
  ENOTDIR: 'A file was given where a folder is expected.',
};

const PATH_HINTS: Record<PathRefusal, string> = {
  empty: 'Choose a file or folder.',
  nul: 'Remove the NUL character from the path.',
  'too-long': 'Use a shorter path or name.',
  outside: 'Paths must lie inside the allowed folders (serve --allow <folder>).',
  missing: 'Check the path, or rerun the node that makes it.',
  'dangling-link': 'The link points at something that is not there: fix or remove the link.',
  'link-loop': 'The links lead back to themselves: fix or remove them.',
  'not-a-file': 'Choose a regular file or a folder (pipes, sockets and devices are never opened).',
  'not-a-name': 'A name is one file or folder name: letters, digits, "-", "_" and "." (not only dots), no "/".',
  unreadable: 'Check that loraflow may read that file or folder.',
};

const OUT_OF_MEMORY = /out of memory|\boom\b|failed to allocate|allocation failed|cannot allocate memory|ENOMEM/i;

/** The error to show on a failed node: the message, and a hint for the user where one is known. */
export function describeNodeError(e: unknown): NodeError {
  if (e instanceof NodeUserError) return { message: e.message, hint: e.hint, param: e.param };
  if (e instanceof PathError) return { message: e.message, hint: PATH_HINTS[e.reason], param: e.param };
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && BY_CODE[code]) return { message, hint: BY_CODE[code] };
  if (OUT_OF_MEMORY.test(message) || (e instanceof RangeError && /buffer|array/i.test(message))) {
    return { message, hint: 'Out of memory: lower the batch size or resolution, or close other runs.' };
  }
  return { message };
}
