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
 * What an uploaded file's name keeps: letters and digits of any script (with their combining marks), emoji (with
 * their joiners, skin tones, keycaps, flags and tags), dots, dashes and underscores. Anything else (spaces,
 * punctuation, control and bidi characters) becomes "_".
 */
const KEPT_IN_UPLOAD_NAMES =
  /[\p{L}\p{N}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u200d\u20e3\u{e0020}-\u{e007f}._-]/u;
/** Bytes an upload name may have: under the path policy's 200 for a name, with room for freeName's "-<n>". */
const MAX_UPLOAD_NAME_BYTES = 150;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** `name` cut to `maxBytes` at a whole character (an emoji with its joiners and modifiers is one), keeping its extension. */
function fitUploadName(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(name.slice(dot)) <= 32 ? name.slice(dot) : '';
  let stem = '';
  for (const { segment } of graphemes.segment(name.slice(0, name.length - ext.length))) {
    if (Buffer.byteLength(stem + segment + ext) > maxBytes) break;
    stem += segment;
  }
  return stem + ext;
}

/**
 * The name an upload is stored under: the last part of what the browser sent (never a path), NFC-normalised (a name
 * typed on macOS arrives decomposed), with what KEPT_IN_UPLOAD_NAMES does not keep turned into "_", without leading
 * dots; a name that was only an extension after them (".png", "..png") keeps it after "upload" instead of becoming
 * "png". The path policy's name check then refuses what is left to refuse (a reserved name such as "con.png").
 */
function safeUploadName(given: string): string {
  const last = given.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const cleaned = Array.from(last, (c) => (KEPT_IN_UPLOAD_NAMES.test(c) ? c : '_')).join('');
  const base = cleaned.replace(/^\.+/, '');
  const named = base !== cleaned && base !== '' && !base.includes('.') ? `upload.${base}` : base;
  return fitUploadName(named, MAX_UPLOAD_NAME_BYTES) || 'upload';
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
    const stored = freeName(uploadsDir, name);
    try {
      paths.name(stored, 'name', 'upload name');
    } catch (err) {
      if (err instanceof PathError) return sendError(res, 400, 'bad-name', `${err.message}; rename the file`);
      throw err;
    }
    fs.mkdirSync(uploadsDir, { recursive: true });
    const file = path.join(uploadsDir, stored);
    writeFileAtomicSync(file, req.body);
    res.status(201).json({ path: file });
  });

  return router;
}
