import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { PathPolicy } from '../../nodes/api';

/** A path parameter refused by the policy: outside the allowed folders, missing, or empty. */
export class PathError extends Error {
  constructor(
    message: string,
    readonly param?: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'PathError';
  }
}

function realOrResolved(p: string): string {
  const abs = resolve(p);
  return existsSync(abs) ? realpathSync(abs) : abs;
}

function isInside(child: string, root: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** Real path of `abs` when it may not exist yet: the nearest existing ancestor's real path plus the rest. */
function realPathForWrite(abs: string): string {
  let existing = abs;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(existing.slice(parent.length).replace(/^[\\/]+/, ''));
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}

/**
 * A policy that resolves node path parameters inside `roots` only. Relative paths resolve against roots[0];
 * symlinks are followed before the check, so neither `..` nor a link can lead outside.
 */
export function createPathPolicy(roots: readonly string[]): PathPolicy {
  if (roots.length === 0) throw new Error('createPathPolicy: at least one allowed root is needed');
  const realRoots = roots.map(realOrResolved);
  const label = (param?: string) => (param ? `parameter "${param}": ` : '');
  return {
    roots: realRoots,
    resolve(userPath: string, access: 'read' | 'write', param?: string): string {
      if (typeof userPath !== 'string' || userPath.trim() === '')
        throw new PathError(`${label(param)}no path given`, param);
      const expanded = userPath === '~' || userPath.startsWith('~/') ? join(homedir(), userPath.slice(1)) : userPath;
      const abs = resolve(realRoots[0]!, expanded);
      let real: string;
      try {
        real = access === 'read' ? realpathSync(abs) : realPathForWrite(abs);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT'
            ? 'does not exist'
            : code === 'EACCES'
              ? 'cannot be read (permission denied)'
              : `cannot be resolved (${code ?? (e as Error).message})`;
        throw new PathError(`${label(param)}"${userPath}" ${why}`, param, userPath);
      }
      if (!realRoots.some((root) => isInside(real, root))) {
        throw new PathError(
          `${label(param)}"${userPath}" is outside the allowed folders (${realRoots.join(', ')}); allow its folder with --allow`,
          param,
          userPath,
        );
      }
      return real;
    },
  };
}
