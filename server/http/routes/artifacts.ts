import { Router } from 'express';
import type { ArtifactStore } from '../../../nodes/api';
import { sendError } from '../errors';

/** Artifact ids are a sha256 in hex with an optional extension: nothing else ever reaches the file system. */
const ARTIFACT_ID = /^[a-f0-9]{64}(\.[a-z0-9]{1,12})?$/;

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

/** Files produced by nodes, by id, with their mime type. */
export function artifactsRouter(artifacts: ArtifactStore): Router {
  const router = Router();
  router.get('/artifacts/:id', (req, res) => {
    const { id } = req.params;
    if (!ARTIFACT_ID.test(id)) return sendError(res, 400, 'bad-id', `"${id}" is not an artifact id`);
    if (!artifacts.has(id)) return sendError(res, 404, 'not-found', `no artifact ${id}`);
    const ext = id.includes('.') ? id.slice(id.lastIndexOf('.') + 1) : '';
    res.setHeader('Content-Type', MIME_BY_EXTENSION[ext] ?? 'application/octet-stream');
    // Artifacts are content-addressed: the same id always has the same bytes.
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    // An HTML or SVG report must not run scripts with this origin's rights.
    res.setHeader('Content-Security-Policy', 'sandbox');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(artifacts.pathOf(id), {
      dotfiles: 'allow',
      headers: { 'Content-Type': MIME_BY_EXTENSION[ext] ?? 'application/octet-stream' },
    });
  });
  return router;
}
