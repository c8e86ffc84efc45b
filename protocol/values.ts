/**
 * Values that flow between nodes. They are plain JSON so that a finished node's outputs can be stored
 * on disk and served from cache after a restart; large things (images, models, files) travel as
 * references to artifacts in the content-addressed store, never as bytes.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A file produced by a node, stored once under the data folder and served by `/api/artifacts/:id`. */
export interface ArtifactRef {
  $artifact: string; // id: sha256 of the content (hex), optionally with an extension
  mime: string;
  name: string;
  bytes: number;
  [extra: string]: JsonValue;
}

export type NodeOutputs = Record<string, JsonValue>;

/** Free-form metrics reported with progress (loss, lr, it/s...). */
export type Metrics = Record<string, number>;

export function isArtifactRef(v: unknown): v is ArtifactRef {
  return typeof v === 'object' && v !== null && typeof (v as { $artifact?: unknown }).$artifact === 'string';
}
