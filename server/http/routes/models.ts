/**
 * GET /api/models: the model folders and the checkpoints and LoRAs in them, for the editor's pickers, and the pickle
 * files beside them, which are not loaded (each with why).
 */
import { Router } from 'express';
import type { ModelsListing } from '../../../protocol/api';
import { scanModelFolders, type ModelFolder } from '../../model-folders';

export function modelsRouter(folders: readonly ModelFolder[]): Router {
  const router = Router();
  router.get('/models', (_req, res) => {
    const listing: ModelsListing = { folders: folders.map((f) => ({ ...f })), ...scanModelFolders(folders) };
    res.json(listing);
  });
  return router;
}
