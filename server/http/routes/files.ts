import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import type { FileListing } from '../../../protocol/api';
import type { PathPolicy } from '../../../nodes/api';
import { PathError } from '../../engine/paths';
import { sendError } from '../errors';
import { writeFileAtomicSync } from '../../../ml/atomic-write';

const UPLOAD_LIMIT = '50mb';

/**
 * Keeps the letters, digits, dots, dashes and underscores of an uploaded file's name, without leading dots; a name
 * that was only an extension after them (".png", "..png") keeps it after "upload" instead of becoming "png".
 */
function safeUploadName(given: string): string {
  const cleaned = path.basename(given).replace(/[^\w.-]/g, '_');
  const base = cleaned.replace(/^\.+/, '');
  const named = base !== cleaned && base !== '' && !base.includes('.') ? `upload.${base}` : base;
  return named.slice(-100) || 'upload';
}

function freeName(dir: string, name: string): string {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  let candidate = name;
  for (let i = 1; fs.existsSync(path.join(dir, candidate)); i++) candidate = `${stem}-${i}${ext}`;
  return candidate;
}

/** The folder browser (limited to the allowed roots, symlinks resolved first), the roots, and uploads. */
export function filesRouter(paths: PathPolicy, uploadsDir: string): Router {
  const router = Router();

  router.get('/roots', (_req, res) => {
    res.json({ roots: paths.roots });
  });

  router.get('/files', (req, res) => {
    const asked = typeof req.query.path === 'string' && req.query.path !== '' ? req.query.path : (paths.roots[0] ?? '');
    let real: string;
    try {
      real = paths.resolve(asked, 'read', 'path');
    } catch (err) {
      // Missing is not refused: the browser shows "does not exist" (404), escapes stay 403 (the error handler).
      if (err instanceof PathError && err.reason === 'missing') return sendError(res, 404, 'not-found', err.message);
      throw err;
    }
    if (!fs.statSync(real).isDirectory())
      return sendError(res, 400, 'not-a-folder', `"${asked}" is a file, not a folder`);
    const entries: FileListing['entries'] = [];
    for (const dirent of fs.readdirSync(real, { withFileTypes: true })) {
      try {
        // A link is shown as what it points to only when that is inside the allowed folders: the listing must not
        // tell the type or size of a file outside (a link to /etc/shadow). Dangling and looping links list nothing.
        const target = dirent.isSymbolicLink() ? paths.resolve(path.join(real, dirent.name), 'read') : undefined;
        const stat = fs.statSync(target ?? path.join(real, dirent.name));
        if (stat.isDirectory()) entries.push({ name: dirent.name, kind: 'folder' });
        else if (stat.isFile()) entries.push({ name: dirent.name, kind: 'file', bytes: stat.size });
      } catch {
        // Refused by the policy or gone meanwhile: not listed.
      }
    }
    entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
    const listing: FileListing = { path: real, entries };
    res.json(listing);
  });

  router.post('/uploads', express.raw({ type: () => true, limit: UPLOAD_LIMIT }), (req, res) => {
    const name = typeof req.query.name === 'string' ? safeUploadName(req.query.name) : 'upload';
    if (!Buffer.isBuffer(req.body) || req.body.length === 0)
      return sendError(res, 400, 'empty-upload', 'the upload has no bytes');
    fs.mkdirSync(uploadsDir, { recursive: true });
    const file = path.join(uploadsDir, freeName(uploadsDir, name));
    writeFileAtomicSync(file, req.body);
    res.status(201).json({ path: file });
  });

  return router;
}
