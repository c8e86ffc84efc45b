/**
 * Paths as a workflow stores them: relative to the first allowed folder when they are inside it (how the server
 * resolves a relative path), so that a shared workflow works on another machine; absolute otherwise.
 */

const trimSlash = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** `abs` relative to `roots[0]` when inside it ('.' for the root itself); `abs` unchanged otherwise. */
export function workflowPath(abs: string, roots: readonly string[]): string {
  const root = roots[0] === undefined ? undefined : trimSlash(roots[0]);
  const path = trimSlash(abs);
  if (!root || !path.startsWith('/')) return path;
  if (path === root) return '.';
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}
