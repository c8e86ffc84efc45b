/**
 * The path policy: the one place where a user-given path or name becomes a real path. Every node parameter that
 * becomes part of a path goes through it (the engine checks the marked parameters before a node runs, see
 * path-params.ts, and nodes resolve again at the point of use). Links are resolved at every level, so neither `..`,
 * an absolute path, `~`, nor a link anywhere along the way can lead outside the allowed folders.
 */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { PathPolicy, PathRefusal } from '../../nodes/api';
import { codePointOf, HIDDEN_CHARACTER } from '../../protocol/visible-text';

/** The longest path we accept (Linux PATH_MAX is 4096; a workflow has no business near it). */
const MAX_PATH_CHARS = 1024;
/** The longest single component in bytes: ext4 and most file systems stop at 255. */
const MAX_COMPONENT_BYTES = 255;
/** A name leaves room for what nodes append to it (`-step000004.safetensors`, `.tmp-…`). */
const MAX_NAME_BYTES = 200;
const CONTROL_CHARS = /[\x00-\x1f\x7f]/;
/** Names Windows keeps for devices, with any extension ("con.png" opens the console there, not a file). */
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.[^.]*)*$/i;

/** A path parameter refused by the policy; `reason` says which rule refused it. */
export class PathError extends Error {
  constructor(
    message: string,
    readonly param?: string,
    readonly path?: string,
    readonly reason: PathRefusal = 'outside',
  ) {
    super(message);
    this.name = 'PathError';
  }
}

function realOrResolved(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}

function isInside(child: string, root: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** How a path that exists only in part resolves: the real path of its existing part plus the missing rest. */
type Resolved = { real: string; missing: boolean };

/**
 * Resolves `abs` with every link followed, including a link in the middle and one at the end. A missing tail is
 * allowed (the caller decides whether that is an error); a dangling link or a loop is not, and gets its own reason.
 */
function resolveLinks(abs: string, fail: (reason: PathRefusal, why: string) => never): Resolved {
  let existing = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      lstatSync(existing); // lstat: a dangling link exists here, and must not count as "missing"
      break;
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ELOOP') fail('link-loop', 'goes through a link that loops back on itself');
      if (code === 'EACCES') fail('unreadable', 'cannot be read (permission denied)');
      if (code === 'ENOTDIR')
        fail('missing', `does not exist ("${basename(dirname(existing))}" is a file, not a folder)`);
      if (code !== 'ENOENT') fail('unreadable', `cannot be resolved (${code ?? String(e)})`);
      const parent = dirname(existing);
      if (parent === existing) break;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
  try {
    return { real: join(realpathSync(existing), ...rest), missing: rest.length > 0 };
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ELOOP') fail('link-loop', 'goes through a link that loops back on itself');
    if (code === 'ENOENT') fail('dangling-link', `goes through a link whose target does not exist ("${existing}")`);
    if (code === 'EACCES') fail('unreadable', 'cannot be read (permission denied)');
    return fail('unreadable', `cannot be resolved (${code ?? String(e)})`);
  }
}

/** Why a string cannot be one path component, or undefined when it can. */
function nameProblem(value: string, maxBytes: number): string | undefined {
  if (value.trim() === '') return 'is empty';
  if (value.includes('\0')) return 'contains a NUL character';
  if (CONTROL_CHARS.test(value)) return 'contains a control character';
  const hidden = HIDDEN_CHARACTER.exec(value)?.[0];
  if (hidden !== undefined)
    return `contains the invisible character ${codePointOf(hidden)} (a bidi or control mark that changes how the name reads)`;
  if (/[\\/]/.test(value)) return 'contains a path separator (a name is one file or folder name, not a path)';
  if (value === '.' || value === '..' || /^\.+$/.test(value)) return 'is only dots (it would name a folder above)';
  if (value.startsWith('~')) return 'starts with "~" (a name, not a place in a home folder)';
  if (RESERVED_NAME.test(value.trim())) return 'is a name reserved for a device on Windows (CON, NUL, COM1, …)';
  if (Buffer.byteLength(value) > maxBytes)
    return `is too long (${Buffer.byteLength(value)} bytes, at most ${maxBytes})`;
  return undefined;
}

/** What a FIFO, socket or device is, in words; undefined for files and folders. Opening a FIFO blocks forever. */
function specialKind(st: Stats): string | undefined {
  if (st.isFile() || st.isDirectory()) return undefined;
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'a device';
}

/** The examples are prepared by a command, so a missing one is not a path mistake. */
function missingHint(userPath: string): string {
  return /^(\.\/)?(data\/)?examples(\/|$)/.test(userPath)
    ? '; the example datasets are made by `npm run examples`'
    : '';
}

/**
 * A policy that resolves node path parameters inside `roots` only. Relative paths resolve against roots[0].
 */
export function createPathPolicy(roots: readonly string[]): PathPolicy {
  if (roots.length === 0) throw new Error('createPathPolicy: at least one allowed root is needed');
  const realRoots = roots.map(realOrResolved);
  const label = (param?: string) => (param ? `parameter "${param}": ` : '');
  const shown = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 60)}…(${s.length} characters)` : s);

  const checkText = (userPath: unknown, param?: string): string => {
    const refuse = (reason: PathRefusal, why: string): never => {
      throw new PathError(`${label(param)}${why}`, param, String(userPath), reason);
    };
    if (typeof userPath !== 'string' || userPath.trim() === '') return refuse('empty', 'no path given');
    if (userPath.includes('\0')) return refuse('nul', `${shown(userPath)} contains a NUL character`);
    if (userPath.length > MAX_PATH_CHARS)
      return refuse('too-long', `the path is too long (${userPath.length} characters, at most ${MAX_PATH_CHARS})`);
    const long = userPath.split(/[\\/]/).find((c) => Buffer.byteLength(c) > MAX_COMPONENT_BYTES);
    if (long !== undefined)
      refuse(
        'too-long',
        `${shown(userPath)} has a name over ${MAX_COMPONENT_BYTES} bytes (${Buffer.byteLength(long)})`,
      );
    return userPath;
  };

  return {
    roots: realRoots,
    resolve(userPath: string, access: 'read' | 'write' | 'check', param?: string): string {
      const text = checkText(userPath, param);
      const fail = (reason: PathRefusal, why: string): never => {
        throw new PathError(`${label(param)}${shown(text)} ${why}`, param, text, reason);
      };
      const expanded = text === '~' || text.startsWith('~/') ? join(homedir(), text.slice(1)) : text;
      const { real, missing } = resolveLinks(resolve(realRoots[0]!, expanded), fail);
      if (!realRoots.some((root) => isInside(real, root)))
        fail('outside', `is outside the allowed folders (${realRoots.join(', ')}); allow its folder with --allow`);
      if (missing && access === 'read') fail('missing', `does not exist${missingHint(text)}`);
      const special = missing ? undefined : specialKind(statSync(real));
      if (special) fail('not-a-file', `is ${special}, not a file or folder; it is never opened`);
      return real;
    },
    name(value: string, param: string, what = 'name'): string {
      const problem = typeof value === 'string' ? nameProblem(value, MAX_NAME_BYTES) : 'is not text';
      if (problem)
        throw new PathError(
          `${label(param)}the ${what} ${shown(String(value))} ${problem}`,
          param,
          value,
          'not-a-name',
        );
      return value;
    },
    extension(value: string, param: string): string {
      const ext = (value || '').trim().startsWith('.') ? value.trim() : `.${(value || '').trim()}`;
      const problem =
        nameProblem(ext.slice(1), 31) ??
        (/^\.[\w.-]+$/.test(ext) ? undefined : 'has characters other than letters, digits, ".", "-" and "_"');
      if (problem || ext.includes('..'))
        throw new PathError(
          `${label(param)}the extension ${shown(String(value))} ${problem ?? 'contains ".."'} (expected e.g. ".txt")`,
          param,
          value,
          'not-a-name',
        );
      return ext;
    },
  };
}
