/**
 * What a worker uploads to the server: an artifact (content-addressed, checked against its id) or a file of a
 * node's state folder (training checkpoints), which a worker that takes the job over downloads to resume.
 */
import { randomBytes } from 'node:crypto';
import { safeName } from '../engine/local-pool';

export type BlobTarget =
  | { kind: 'artifact'; id: string; mime: string; name: string }
  | { kind: 'state'; type: string; key: string; name: string };

/** Bytes per upload request: base64 in JSON stays well under the API's 10 MB body limit. */
export const BLOB_CHUNK_BYTES = 4 * 1024 * 1024;

/** An upload's id, chosen by the uploader (`newUploadId`): it names that upload's partial file on the server. */
export const UPLOAD_ID = /^[A-Za-z0-9]{8,64}$/;

/** A fresh upload id. */
export const newUploadId = (): string => randomBytes(12).toString('hex');

/** A file name in a state folder: plain, no separators, not hidden. */
export const STATE_FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** "Type/key": a state folder as listed in a job's data. */
export const stateKeyOf = (type: string, key: string): string => `${safeName(type)}/${safeName(key)}`;

/** Splits "Type/key" back; undefined when it is not one. */
export function parseStateKey(value: string): { type: string; key: string } | undefined {
  const [type, key, ...rest] = value.split('/');
  if (!type || !key || rest.length > 0 || safeName(type) !== type || safeName(key) !== key) return undefined;
  return { type, key };
}

/** Why a target is refused, or undefined when it is well formed. */
export function blobTargetProblem(t: unknown): string | undefined {
  const v = t as Partial<Record<string, unknown>> | null;
  if (!v || typeof v !== 'object') return 'target must be an object';
  if (v.kind === 'artifact') {
    if (typeof v.id !== 'string' || !/^[a-f0-9]{64}(\.[a-z0-9]{1,12})?$/.test(v.id)) return 'bad artifact id';
    if (typeof v.mime !== 'string' || typeof v.name !== 'string') return 'an artifact needs its mime and name';
    return undefined;
  }
  if (v.kind === 'state') {
    if (typeof v.type !== 'string' || typeof v.key !== 'string' || !parseStateKey(`${v.type}/${v.key}`))
      return 'bad state folder';
    if (typeof v.name !== 'string' || !STATE_FILE_NAME.test(v.name)) return 'bad state file name';
    return undefined;
  }
  return 'target kind must be "artifact" or "state"';
}
