/**
 * The checkpoints and LoRAs of the model folders (GET /api/models), as the pickers offer them: each file as the
 * workflow stores it (relative to the first allowed folder when inside it), labelled with where it comes from.
 */
import type { ModelsListing } from '../../../protocol/api';
import { api } from '../api/http';
import { workflowPath } from '../graph/paths';
import { createStore } from './createStore';

export interface ModelChoice {
  value: string;
  label: string;
}

/** A file of the model folders that is not offered (a pickle), with why. */
export interface RefusedChoice {
  value: string;
  /** The file's name. */
  name: string;
  reason: string;
}

export interface ModelsState {
  checkpoints: ModelChoice[];
  loras: ModelChoice[];
  /** Files not offered (pickles), shown apart with the reason. */
  refusedCheckpoints: RefusedChoice[];
  refusedLoras: RefusedChoice[];
  /** Folders a LoRA may be saved into. */
  loraFolders: ModelChoice[];
  checkpointFolders: ModelChoice[];
}

const EMPTY: ModelsState = {
  checkpoints: [],
  loras: [],
  refusedCheckpoints: [],
  refusedLoras: [],
  loraFolders: [],
  checkpointFolders: [],
};
export const modelsStore = createStore<ModelsState>(EMPTY);

/** The choices of a listing, with paths as a workflow stores them. */
export function modelChoices(listing: ModelsListing, roots: readonly string[]): ModelsState {
  const file = (f: { path: string; source: string }): ModelChoice => ({
    value: workflowPath(f.path, roots),
    label: `${f.source}: ${f.path.split('/').pop() ?? f.path}`,
  });
  const folder = (kind: 'checkpoints' | 'loras') =>
    listing.folders
      .filter((f) => f.kind === kind)
      .map((f) => ({ value: workflowPath(f.path, roots), label: `${f.source} ${kind}` }));
  const refused = (kind: 'checkpoints' | 'loras'): RefusedChoice[] =>
    (listing.refused ?? [])
      .filter((f) => f.kind === kind)
      .map((f) => ({ value: workflowPath(f.path, roots), name: f.path.split('/').pop() ?? f.path, reason: f.reason }));
  return {
    checkpoints: listing.checkpoints.map(file),
    loras: listing.loras.map(file),
    refusedCheckpoints: refused('checkpoints'),
    refusedLoras: refused('loras'),
    loraFolders: folder('loras'),
    checkpointFolders: folder('checkpoints'),
  };
}

let loading: Promise<void> | undefined;
/** Loads (or reloads, when `again`) the model listing into the store. */
export function loadModels(again = false): Promise<void> {
  if (loading && !again) return loading;
  loading = Promise.all([api.models(), api.roots()]).then(
    ([listing, { roots }]) => modelsStore.replace(modelChoices(listing, roots)),
    () => undefined, // no listing: the pickers offer nothing, typing a path still works
  );
  return loading;
}
