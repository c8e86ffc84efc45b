/**
 * The server's side of the file transfer with workers (no shared folder needed): chunked uploads of artifacts
 * and state files, and the state folders a worker downloads to resume a job. Artifacts are downloaded with the
 * ordinary GET /api/artifacts/:id. Mounted under /api, behind the token check.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { appendFile, readFile, rename, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Router } from 'express';
import type { ArtifactStore } from '../../nodes/api';
import type { WorkersResponse } from '../../protocol/api';
import { sendError } from '../http/errors';
import { blobTargetProblem, parseStateKey, STATE_FILE_NAME, type BlobTarget } from './blob-target';

export interface ClusterRouteOptions {
  artifacts: ArtifactStore;
  workRoot: string;
  /** The live workers; undefined on a server without --redis. */
  workers?: () => Promise<WorkersResponse['workers']>;
}

interface UploadChunk {
  target: BlobTarget;
  offset: number;
  data: string;
  done: boolean;
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
    const target = chunk.target!;
    mkdirSync(partialDir, { recursive: true });
    const part = join(partialDir, `${createHash('sha256').update(JSON.stringify(target)).digest('hex')}.part`);
    try {
      const size = existsSync(part) ? (await stat(part)).size : 0;
      if (chunk.offset === 0 && size > 0) await truncate(part, 0);
      else if (chunk.offset !== size)
        return sendError(res, 409, 'bad-offset', `expected offset ${size}, got ${chunk.offset ?? '?'}`);
      await appendFile(part, Buffer.from(chunk.data, 'base64'));
      if (!chunk.done) return res.json({ ok: true });
      if (target.kind === 'artifact') {
        const bytes = await readFile(part);
        await unlink(part);
        const ref = await opts.artifacts.put(bytes, target.mime, target.name);
        if (ref.$artifact !== target.id)
          return sendError(res, 400, 'hash-mismatch', `the bytes uploaded for ${target.id} hash to ${ref.$artifact}`);
        return res.json({ ok: true });
      }
      const dir = stateDir(opts.workRoot, target.type, target.key);
      mkdirSync(dir, { recursive: true });
      // Atomic: a worker that downloads the folder meanwhile sees the old file or the new one, never half of one.
      const tmp = join(dir, `.${target.name}.${randomBytes(4).toString('hex')}.tmp`);
      await rename(part, tmp);
      await rename(tmp, join(dir, target.name));
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
