/**
 * POST /api/import and POST /api/export: other tools' configs in and out (protocol/interop). The config arrives as
 * text in JSON (the server never opens a path a config names); companions named by it come in `files`. Path
 * parameters of the result are checked against the allowed folders and reported, never rewritten.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { PathPolicy } from '../../../nodes/api';
import { companionsFrom, exportWorkflow, importConfig, ImportError } from '../../../protocol/interop';
import { ExportError } from '../../../protocol/interop/export';
import type { ExportResponse, ImportResponse } from '../../../protocol/interop/types';
import type { NodeSchema } from '../../../protocol/schema';
import { parseWorkflow, WorkflowParseError } from '../../../protocol/workflow-io';
import { checkWorkflowPaths } from '../../interop/path-check';
import { parseBody } from '../bodies';
import { sendError } from '../errors';

const configFile = z.object({ name: z.string().min(1).max(200), text: z.string().max(2_000_000) });

const importBody = configFile.extend({ files: z.array(configFile).max(10).optional() });

const exportBody = z.object({
  workflow: z.unknown().refine((v) => v !== undefined, 'a workflow is required'),
  to: z.enum(['kohya', 'ai-toolkit']),
  family: z.enum(['sd15', 'sd2', 'sdxl', 'flux']).optional(),
});

export function interopRouter(schemas: () => NodeSchema[], paths: PathPolicy): Router {
  const router = Router();

  router.post('/import', (req, res) => {
    const body = parseBody(importBody, req.body, res, '{ name, text, files?: [{ name, text }] }');
    if (!body) return;
    try {
      const all = schemas();
      const result = importConfig(body, all, companionsFrom(body.files ?? []));
      const answer: ImportResponse = { ...result, pathProblems: checkWorkflowPaths(result.workflow, all, paths) };
      res.json(answer);
    } catch (e) {
      if (e instanceof ImportError) return sendError(res, 400, 'bad-config', e.message);
      throw e;
    }
  });

  router.post('/export', (req, res) => {
    const body = parseBody(exportBody, req.body, res, '{ workflow, to: "kohya" | "ai-toolkit", family? }');
    if (!body) return;
    try {
      const { workflow } = parseWorkflow(body.workflow);
      const answer: ExportResponse = exportWorkflow(workflow, body.to, schemas(), body.family);
      res.json(answer);
    } catch (e) {
      if (e instanceof WorkflowParseError || e instanceof ExportError)
        return sendError(res, 400, 'bad-workflow', e.message);
      throw e;
    }
  });

  return router;
}
