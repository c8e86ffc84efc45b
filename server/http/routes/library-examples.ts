/**
 * The shipped examples stay as shipped: saving under an example's name is refused (the editor then asks for a
 * name of its own), user workflows can be renamed, copies that shadow an example (saved before this rule) can be
 * removed to restore the examples, and `?source=example` reads the shipped file even where a copy shadows it.
 * Mounted before the library's own routes (workflows.ts), which it leaves to do the rest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { parseWorkflow, WorkflowParseError } from '../../../protocol/workflow-io';
import { sendError } from '../errors';
import { isValidWorkflowName } from './workflows';

interface Folders {
  examples: string;
  user: string;
}

export function libraryExamplesRouter(folders: Folders): Router {
  const router = Router();
  const exists = (dir: string, name: string) => fs.existsSync(path.join(dir, `${name}.json`));
  const badName = (name: unknown) => typeof name !== 'string' || !isValidWorkflowName(name);

  router.get('/workflows/:name', (req, res, next) => {
    const { name } = req.params;
    if (req.query.source !== 'example' || badName(name) || !exists(folders.examples, name)) return next();
    try {
      res.json(parseWorkflow(fs.readFileSync(path.join(folders.examples, `${name}.json`), 'utf8')).workflow);
    } catch (err) {
      if (err instanceof WorkflowParseError) return sendError(res, 422, 'bad-workflow', `${name}.json: ${err.message}`);
      throw err;
    }
  });

  router.put('/workflows/:name', (req, res, next) => {
    const { name } = req.params;
    if (badName(name) || !exists(folders.examples, name)) return next();
    sendError(res, 409, 'read-only', `"${name}" is a shipped example and stays as shipped: save it under another name`);
  });

  router.post('/workflows/:name/rename', (req, res) => {
    const { name } = req.params;
    const to = (req.body as { to?: unknown } | undefined)?.to;
    if (badName(name)) return sendError(res, 400, 'bad-name', `"${name}" is not a valid workflow name`);
    if (badName(to)) return sendError(res, 400, 'bad-name', `"${String(to)}" is not a valid workflow name`);
    const target = String(to);
    if (!exists(folders.user, name)) {
      if (exists(folders.examples, name))
        return sendError(res, 403, 'read-only', `"${name}" is an example and cannot be renamed`);
      return sendError(res, 404, 'not-found', `no workflow "${name}"`);
    }
    if (target !== name && (exists(folders.user, target) || exists(folders.examples, target)))
      return sendError(res, 409, 'exists', `a workflow named "${target}" exists already`);
    fs.renameSync(path.join(folders.user, `${name}.json`), path.join(folders.user, `${target}.json`));
    res.json({ name: target });
  });

  router.post('/workflow-examples/restore', (_req, res) => {
    const shadows = fs.existsSync(folders.user)
      ? fs.readdirSync(folders.user).filter((f) => f.endsWith('.json') && fs.existsSync(path.join(folders.examples, f)))
      : [];
    for (const f of shadows) fs.unlinkSync(path.join(folders.user, f));
    res.json({ restored: shadows.map((f) => f.slice(0, -'.json'.length)) });
  });

  return router;
}
