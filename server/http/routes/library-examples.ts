/**
 * The shipped examples stay as shipped: saving under an example's name is refused (the editor then asks for a
 * name of its own), user workflows can be renamed, copies that shadow an example (saved before this rule) can be
 * removed to restore the examples, and `?source=example` reads the shipped file even where a copy shadows it.
 * It also serves the template gallery (GET /api/templates, /api/templates/:name).
 * Mounted before the library's own routes (workflows.ts), which it leaves to do the rest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import type { RenameResponse, TemplateListing } from '../../../protocol/api';
import type { WorkflowFile } from '../../../protocol/workflow';
import { parseWorkflow, WorkflowParseError } from '../../../protocol/workflow-io';
import { sendError } from '../errors';
import { writeFileAtomicSync } from '../../../ml/atomic-write';
import { LibraryFileError, readLibraryFile } from './library-file';
import { currentRevision } from './workflow-revision';
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
    const from = path.join(folders.user, `${name}.json`);
    const into = path.join(folders.user, `${target}.json`);
    const previousRevision = currentRevision(folders.user, name);
    const title = (req.body as { title?: unknown } | undefined)?.title;
    if (typeof title === 'string' && title.trim() !== '') {
      // The workflow's own name (what the library lists, the tab shows and the delete prompt names) follows the
      // rename; the rest of the file is kept as it is, unknown fields included.
      // Read as GET reads it (library-file.ts): never through a link outside (its contents would be copied into
      // the library, or quoted by the parse error) nor from a FIFO (the server would block on it).
      let doc: unknown;
      try {
        doc = JSON.parse(readLibraryFile(folders.user, `${name}.json`));
      } catch (err) {
        if (err instanceof LibraryFileError) return sendError(res, err.status, 'not-read', err.message);
        return sendError(res, 422, 'bad-workflow', `${name}.json is not valid JSON`);
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
        return sendError(res, 422, 'bad-workflow', `${name}.json is not a workflow object`);
      writeFileAtomicSync(into, `${JSON.stringify({ ...doc, name: title.trim().slice(0, 200) }, null, 2)}\n`);
      if (into !== from) fs.unlinkSync(from);
    } else fs.renameSync(from, into);
    // Tabs that had the file at its latest revision follow it to the new one; a stale tab stays stale.
    const answer: RenameResponse = { name: target, previousRevision, revision: currentRevision(folders.user, target) };
    res.json(answer);
  });

  router.post('/workflow-examples/restore', (_req, res) => {
    const shadows = fs.existsSync(folders.user)
      ? fs.readdirSync(folders.user).filter((f) => f.endsWith('.json') && fs.existsSync(path.join(folders.examples, f)))
      : [];
    for (const f of shadows) fs.unlinkSync(path.join(folders.user, f));
    res.json({ restored: shadows.map((f) => f.slice(0, -'.json'.length)) });
  });

  // The template gallery: the quick start example and the scenarios in workflows/templates/.
  const templatesDir = path.join(folders.examples, 'templates');
  const templateFile = (name: string): string | undefined => {
    if (badName(name)) return undefined;
    if (exists(templatesDir, name)) return path.join(templatesDir, `${name}.json`);
    return name === QUICK_START && exists(folders.examples, name)
      ? path.join(folders.examples, `${name}.json`)
      : undefined;
  };
  router.get('/templates', (_req, res) => {
    const names = [
      QUICK_START,
      ...(fs.existsSync(templatesDir) ? fs.readdirSync(templatesDir) : [])
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -'.json'.length)),
    ];
    const list: TemplateListing[] = [];
    for (const name of names) {
      const file = templateFile(name);
      if (!file) continue;
      try {
        const listing = templateListing(name, parseWorkflow(fs.readFileSync(file, 'utf8')).workflow);
        if (templatePicture(templatesDir, name)) listing.picture = `/api/templates/${name}/picture`;
        list.push(listing);
      } catch {
        // An unreadable template is left out of the gallery; the others are listed.
      }
    }
    res.json(list);
  });
  router.get('/templates/:name/picture', (req, res) => {
    const picture = badName(req.params.name) ? undefined : templatePicture(templatesDir, req.params.name);
    if (!picture) return sendError(res, 404, 'not-found', `no picture of template "${req.params.name}"`);
    res.type('png').sendFile(picture);
  });
  router.get('/templates/:name', (req, res) => {
    const file = templateFile(req.params.name);
    if (!file) return sendError(res, 404, 'not-found', `no template "${req.params.name}"`);
    res.json(parseWorkflow(fs.readFileSync(file, 'utf8')).workflow);
  });

  return router;
}

/** The example the gallery starts with (the style scenario). */
const QUICK_START = 'quickstart-style-lora';

/**
 * The shipped picture of a template's result (`templates/pictures/<name>.png`, made by
 * `npx tsx scripts/template-pictures.ts`), if there is one.
 */
function templatePicture(templatesDir: string, name: string): string | undefined {
  const file = path.resolve(templatesDir, 'pictures', `${name}.png`);
  return fs.existsSync(file) ? file : undefined;
}

/** A gallery card: what the template is for, and its nodes and wires for a small drawing of the graph. */
function templateListing(name: string, wf: WorkflowFile): TemplateListing {
  const scenario = (wf.template as { scenario?: unknown } | undefined)?.scenario;
  return {
    name,
    title: wf.name,
    description: wf.description ?? '',
    scenario: typeof scenario === 'string' ? scenario : 'style',
    nodes: wf.nodes.map((n) => ({ id: n.id, type: n.type, x: n.position.x, y: n.position.y })),
    edges: wf.edges.map((e) => [e.from.node, e.to.node] as [string, string]),
  };
}
