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

/**
 * A checkpoint a training node wrote, as a structured event (never a log line parsed back): the editor marks it
 * on the loss chart, live and after a reload.
 */
export interface CheckpointEvent {
  step: number;
  /** The checkpoint's file name in the node's state folder, on the machine that trained. */
  file: string;
  /** The loss at the checkpoint: the validation loss where the node measures one, else the last training loss. */
  loss?: number;
}

/** Sample images a training node drew from its weights at a step (stored artifacts, uploaded before the event). */
export interface SampleEvent {
  step: number;
  images: ArtifactRef[];
}

export function isArtifactRef(v: unknown): v is ArtifactRef {
  return typeof v === 'object' && v !== null && typeof (v as { $artifact?: unknown }).$artifact === 'string';
}
