/** GET /api/models: the model folders and the checkpoints and LoRAs in them, for the editor's pickers. */
import { Router } from 'express';
import type { ModelsListing } from '../../../protocol/api';
import { listModelFiles, type ModelFolder } from '../../model-folders';

export function modelsRouter(folders: readonly ModelFolder[]): Router {
  const router = Router();
  router.get('/models', (_req, res) => {
    const listing: ModelsListing = {
      folders: folders.map((f) => ({ ...f })),
      checkpoints: listModelFiles(folders, 'checkpoints'),
      loras: listModelFiles(folders, 'loras'),
    };
    res.json(listing);
  });
  return router;
}
