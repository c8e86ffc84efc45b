/**
 * Records keyed by ids from a workflow file (node, flow and tab ids): no prototype, so that a node called
 * "constructor", "toString" or "__proto__" is a key like any other. In a `{}`, `r["constructor"]` is Object's
 * constructor and `r["__proto__"] = v` sets the prototype instead of an entry (a drag of such a node was lost).
 */
export const idRecord = <T>(from?: Readonly<Record<string, T>>): Record<string, T> =>
  Object.assign(Object.create(null) as Record<string, T>, from);
