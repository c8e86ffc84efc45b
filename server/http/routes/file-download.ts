/**
 * GET /api/download?path: the bytes of a file a node wrote (Save LoRA's .safetensors), within the allowed
 * folders (the path policy resolves links and refuses anything outside them), as an attachment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import type { PathPolicy } from '../../../nodes/api';
import { sendError } from '../errors';

export function fileDownloadRouter(paths: PathPolicy): Router {
  const router = Router();
  router.get('/download', (req, res) => {
    const asked = typeof req.query.path === 'string' ? req.query.path : '';
    if (!asked) return sendError(res, 400, 'no-path', 'GET /api/download needs ?path=<file>');
    const real = paths.resolve(asked, 'read', 'path');
    if (!fs.statSync(real).isFile()) return sendError(res, 400, 'not-a-file', `"${asked}" is not a file`);
    res.download(real, path.basename(real));
  });
  return router;
}
