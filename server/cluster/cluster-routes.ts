/**
 * The server's side of the file transfer with workers (no shared folder needed): chunked uploads of artifacts
 * and state files, and the state folders a worker downloads to resume a job. Artifacts are downloaded with the
 * ordinary GET /api/artifacts/:id. Mounted under /api, behind the token check.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { appendFile, readdir, rename, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Router } from 'express';
import type { ArtifactStore } from '../../nodes/api';
import type { WorkersResponse } from '../../protocol/api';
import { sendError } from '../http/errors';
import { blobTargetProblem, parseStateKey, STATE_FILE_NAME, UPLOAD_ID, type BlobTarget } from './blob-target';

export interface ClusterRouteOptions {
  artifacts: ArtifactStore;
  workRoot: string;
  /** The live workers; undefined on a server without --redis. */
  workers?: () => Promise<WorkersResponse['workers']>;
}

interface UploadChunk {
  target: BlobTarget;
  /** The uploader's id for this one upload: uploads of the same target at the same time never share a file. */
  upload: string;
  offset: number;
  data: string;
  done: boolean;
}

/** A partial file nobody has appended to for this long belongs to an upload that was abandoned. */
const ABANDONED_PARTIAL_MS = 60 * 60 * 1000;

/** Removes partial files of abandoned uploads (a worker killed mid-upload); errors skip the file. */
async function removeAbandonedPartials(partialDir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(partialDir).catch(() => [])) {
    const file = join(partialDir, name);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile() && now - info.mtimeMs > ABANDONED_PARTIAL_MS) await unlink(file).catch(() => undefined);
  }
}

function stateDir(workRoot: string, type: string, key: string): string {
  return join(workRoot, 'state', type, key);
}

/** GET /workers, and under /cluster the transfer routes. */
export function clusterRouter(opts: ClusterRouteOptions): Router {
  const router = Router();
  const partialDir = join(opts.workRoot, 'cluster-uploads');

  router.get('/workers', async (_req, res, next) => {
    try {
      const body: WorkersResponse = { cluster: opts.workers !== undefined, workers: (await opts.workers?.()) ?? [] };
      res.json(body);
    } catch (e) {
      next(e);
    }
  });

  router.post('/cluster/blobs', async (req, res, next) => {
    const chunk = req.body as Partial<UploadChunk> | undefined;
    const problem = blobTargetProblem(chunk?.target);
    if (problem) return sendError(res, 400, 'bad-target', problem);
    if (!chunk || typeof chunk.data !== 'string' || !Number.isInteger(chunk.offset) || (chunk.offset ?? -1) < 0)
      return sendError(res, 400, 'bad-chunk', 'a chunk needs offset (a whole number) and data (base64)');
    if (typeof chunk.upload !== 'string' || !UPLOAD_ID.test(chunk.upload))
      return sendError(res, 400, 'bad-chunk', 'a chunk needs upload: its upload id (8 to 64 letters or digits)');
    const target = chunk.target!;
    const targetHash = createHash('sha256').update(JSON.stringify(target)).digest('hex');
    const part = join(partialDir, `${targetHash}.${chunk.upload}.part`);
    try {
      // Content-addressed: an artifact the server holds already (another worker's upload of it) needs no bytes;
      // this upload stops here, so the chunks it sent before the other one finished are dropped.
      if (target.kind === 'artifact' && opts.artifacts.has(target.id)) {
        await unlink(part).catch(() => undefined);
        return res.json({ ok: true, stored: true });
      }
      mkdirSync(partialDir, { recursive: true });
      if (chunk.offset === 0) await removeAbandonedPartials(partialDir);
      const size = existsSync(part) ? (await stat(part)).size : 0;
      if (chunk.offset === 0 && size > 0) await truncate(part, 0);
      else if (chunk.offset !== size)
        return sendError(res, 409, 'bad-offset', `expected offset ${size}, got ${chunk.offset ?? '?'}`);
      await appendFile(part, Buffer.from(chunk.data, 'base64'));
      if (!chunk.done) return res.json({ ok: true });
      if (target.kind === 'artifact') {
        // putFile moves nothing: two uploads of the same bytes settle on one stored file, the second a no-op.
        const ref = await opts.artifacts.putFile(part, target.mime, target.name).finally(() => unlink(part));
        if (ref.$artifact !== target.id)
          return sendError(res, 400, 'hash-mismatch', `the bytes uploaded for ${target.id} hash to ${ref.$artifact}`);
        return res.json({ ok: true });
      }
      const dir = stateDir(opts.workRoot, target.type, target.key);
      mkdirSync(dir, { recursive: true });
      // Atomic: a worker that downloads the folder meanwhile sees the old file or the new one, never half of one;
      // of two uploads at once, the last to finish is kept whole.
      await rename(part, join(dir, target.name));
      return res.json({ ok: true });
    } catch (e) {
      next(e);
    }
  });

  router.get('/cluster/state/:type/:key', (req, res) => {
    const folder = parseStateKey(`${req.params.type}/${req.params.key}`);
    if (!folder) return sendError(res, 400, 'bad-state', 'bad state folder');
    const dir = stateDir(opts.workRoot, folder.type, folder.key);
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => STATE_FILE_NAME.test(name) && statSync(join(dir, name)).isFile())
          .map((name) => ({ name, bytes: statSync(join(dir, name)).size }))
      : [];
    res.json({ files });
  });

  router.get('/cluster/state/:type/:key/:name', (req, res) => {
    const folder = parseStateKey(`${req.params.type}/${req.params.key}`);
    const { name } = req.params;
    if (!folder || !STATE_FILE_NAME.test(name)) return sendError(res, 400, 'bad-state', 'bad state file');
    const file = join(stateDir(opts.workRoot, folder.type, folder.key), name);
    if (!existsSync(file))
      return sendError(res, 404, 'not-found', `no state file ${folder.type}/${folder.key}/${name}`);
    res.setHeader('Content-Type', 'application/octet-stream');
    createReadStream(file).pipe(res);
  });

  return router;
}
