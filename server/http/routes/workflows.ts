import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import type { WorkflowListing } from '../../../protocol/api';
import {
  parseWorkflow,
  serializeWorkflow,
  WorkflowParseError,
  WorkflowTooLargeError,
} from '../../../protocol/workflow-io';
import { sendError } from '../errors';
import { writeFileAtomicSync } from '../../../ml/atomic-write';
import { LibraryFileError, libraryFileExists, readLibraryFile } from './library-file';
import { currentRevision, revisionOf, saveAllowed, setRevision } from './workflow-revision';

/** File names of the library: letters, digits, space, dot, dash, underscore; never a path. */
const NAME_PATTERN = /^[\w][\w .-]{0,99}$/;

export function isValidWorkflowName(name: string): boolean {
  return NAME_PATTERN.test(name) && !name.includes('..');
}

interface Folders {
  examples: string;
  user: string;
}

function listing(dir: string, file: string, example: boolean): WorkflowListing | undefined {
  const full = path.join(dir, file);
  try {
    const stat = fs.statSync(full);
    const text = readLibraryFile(dir, file);
    const data = JSON.parse(text) as { name?: unknown; description?: unknown };
    const item: WorkflowListing = {
      name: file.slice(0, -'.json'.length),
      title: typeof data.name === 'string' && data.name ? data.name : file.slice(0, -5),
      modifiedAt: stat.mtimeMs,
      example,
      revision: revisionOf(text),
    };
    if (typeof data.description === 'string') item.description = data.description;
    return item;
  } catch {
    return undefined; // An unreadable file is not a workflow; the library lists the others.
  }
}

function listFolder(dir: string, example: boolean): WorkflowListing[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && isValidWorkflowName(f.slice(0, -5)))
    .map((f) => listing(dir, f, example))
    .filter((l): l is WorkflowListing => l !== undefined);
}

/** The workflow library: the user's workflows (read-write) over the shipped examples (read-only). */
export function workflowsRouter(folders: Folders): Router {
  const router = Router();
  const fileOf = (dir: string, name: string) => path.join(dir, `${name}.json`);

  router.get('/workflows', (_req, res) => {
    const user = listFolder(folders.user, false);
    const names = new Set(user.map((w) => w.name));
    const examples = listFolder(folders.examples, true).filter((w) => !names.has(w.name));
    res.json([...user, ...examples].sort((a, b) => a.name.localeCompare(b.name)));
  });

  router.get('/workflows/:name', (req, res) => {
    const { name } = req.params;
    if (!isValidWorkflowName(name)) return sendError(res, 400, 'bad-name', `"${name}" is not a valid workflow name`);
    const dir = [folders.user, folders.examples].find((d) => libraryFileExists(d, `${name}.json`));
    if (!dir) return sendError(res, 404, 'not-found', `no workflow "${name}"`);
    try {
      const text = readLibraryFile(dir, `${name}.json`);
      const { workflow } = parseWorkflow(text);
      setRevision(res, revisionOf(text));
      res.json(workflow);
    } catch (err) {
      if (err instanceof LibraryFileError) return sendError(res, err.status, 'not-read', err.message);
      if (err instanceof WorkflowParseError) return sendError(res, 422, 'bad-workflow', `${name}.json: ${err.message}`);
      throw err;
    }
  });

  router.put('/workflows/:name', (req, res) => {
    const { name } = req.params;
    if (!isValidWorkflowName(name)) return sendError(res, 400, 'bad-name', `"${name}" is not a valid workflow name`);
    let text: string;
    try {
      text = serializeWorkflow(parseWorkflow(req.body).workflow);
    } catch (err) {
      if (err instanceof WorkflowTooLargeError) return sendError(res, 413, 'too-large', err.message);
      if (err instanceof WorkflowParseError) return sendError(res, 400, 'bad-workflow', err.message);
      throw err;
    }
    // The check and the write run in one synchronous stretch: no other request of this server comes between them.
    if (!saveAllowed(req, res, name, currentRevision(folders.user, name))) return;
    fs.mkdirSync(folders.user, { recursive: true });
    writeFileAtomicSync(fileOf(folders.user, name), text);
    setRevision(res, revisionOf(text));
    res.json(listing(folders.user, `${name}.json`, false));
  });

  router.delete('/workflows/:name', (req, res) => {
    const { name } = req.params;
    if (!isValidWorkflowName(name)) return sendError(res, 400, 'bad-name', `"${name}" is not a valid workflow name`);
    const file = fileOf(folders.user, name);
    if (!fs.existsSync(file)) {
      if (fs.existsSync(fileOf(folders.examples, name)))
        return sendError(res, 403, 'read-only', `"${name}" is an example and cannot be deleted`);
      return sendError(res, 404, 'not-found', `no workflow "${name}"`);
    }
    fs.unlinkSync(file);
    res.status(204).end();
  });

  return router;
}
