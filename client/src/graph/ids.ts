/** Flow ids: workflow nodes keep their own id; groups, notes and sockets get prefixes so nothing collides. */

export const GROUP_PREFIX = 'group:';
export const NOTE_PREFIX = 'note:';

export const groupFlowId = (id: string): string => GROUP_PREFIX + id;
export const noteFlowId = (id: string): string => NOTE_PREFIX + id;
export const inputHandle = (socket: string): string => `in:${socket}`;
export const outputHandle = (socket: string): string => `out:${socket}`;

/** The socket name of a handle id (`in:images` -> `images`). */
export function socketOfHandle(handle: string | null | undefined): string {
  if (!handle) return '';
  const i = handle.indexOf(':');
  return i < 0 ? handle : handle.slice(i + 1);
}

export type FlowItemRef = { kind: 'node' | 'group' | 'note'; id: string };

/** What a flow id refers to in the workflow file. */
export function parseFlowId(flowId: string): FlowItemRef {
  if (flowId.startsWith(GROUP_PREFIX)) return { kind: 'group', id: flowId.slice(GROUP_PREFIX.length) };
  if (flowId.startsWith(NOTE_PREFIX)) return { kind: 'note', id: flowId.slice(NOTE_PREFIX.length) };
  return { kind: 'node', id: flowId };
}

/** A fresh id with `prefix` that is not in `taken`. */
export function freshId(prefix: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const id = `${prefix}${n}`;
    if (!taken.has(id)) return id;
  }
}
