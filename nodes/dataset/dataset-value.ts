/** Reading and writing DATASET values on sockets, with a clear error when something else arrives. */
import { NodeUserError } from '../api';
import type { JsonValue } from '../../protocol/values';
import { isArtifactRef } from '../../protocol/values';
import type { Dataset } from './types';

/** Checks that an input is a DATASET value and returns it typed; throws a NodeUserError naming the input. */
export function readDataset(value: JsonValue | undefined, input = 'dataset'): Dataset {
  if (value === undefined || value === null) {
    throw new NodeUserError(
      `the "${input}" input is not connected`,
      'connect a DATASET output (e.g. LoadImages) to it',
      input,
    );
  }
  const v = value as { items?: unknown; warnings?: unknown };
  if (typeof value !== 'object' || !Array.isArray(v.items)) {
    throw new NodeUserError(`the "${input}" input is not a DATASET value`, 'connect a DATASET output to it', input);
  }
  for (const item of v.items) {
    const it = item as { id?: unknown; image?: unknown };
    if (typeof it.id !== 'string' || !isArtifactRef(it.image)) {
      throw new NodeUserError(`the "${input}" input holds an item without an id or image`, undefined, input);
    }
  }
  const ds = value as unknown as Dataset;
  return { ...ds, warnings: Array.isArray(v.warnings) ? ds.warnings : [] };
}

/** A DATASET as a socket value. */
export function datasetValue(ds: Dataset): JsonValue {
  return JSON.parse(JSON.stringify(ds)) as JsonValue;
}
