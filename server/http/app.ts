import path from 'node:path';
import express, { type Express } from 'express';
import type { Runtime } from '../queue';
import { APP_VERSION } from '../../protocol/workflow-io';
import { requireToken } from './auth';
import { OwnHosts, refuseForeignRequests, requireScriptedRequests } from './request-guard';
import { errorHandler, sendError } from './errors';
import { runsRouter } from './routes/runs';
import { workflowsRouter } from './routes/workflows';
import { libraryExamplesRouter } from './routes/library-examples';
import { fileDownloadRouter } from './routes/file-download';
import { modelsRouter } from './routes/models';
import { filesRouter } from './routes/files';
import { artifactsRouter } from './routes/artifacts';
import { interopRouter } from './routes/interop';
import { serveEditor } from './static';
import { clusterRouter } from '../cluster/cluster-routes';
import { nestsDeeperThan, TooDeepError } from './json-depth';
import { WORKFLOW_LIMITS } from '../../protocol/limits';

/** Largest JSON body accepted (a workflow with long prompt lists is a few hundred KB). */
export const JSON_LIMIT = '10mb';

/** The express app: the REST API documented in protocol/api.ts plus the editor's static files. */
export function createApp(runtime: Runtime, log: (message: string) => void): Express {
  const { config, queue, env, db } = runtime;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(refuseForeignRequests(new OwnHosts(config.host)));

  const api = express.Router();
  api.get('/health', (_req, res) => {
    res.json({ ok: true, version: APP_VERSION });
  });
  api.use(requireToken(config.token));
  api.use(requireScriptedRequests());
  api.use(
    express.json({
      limit: JSON_LIMIT,
      strict: false,
      // One level for the request's own object ({ workflow }) above the workflow's limit.
      verify: (_req, _res, body) => {
        if (nestsDeeperThan(body, WORKFLOW_LIMITS.depth + 1)) throw new TooDeepError(WORKFLOW_LIMITS.depth + 1);
      },
    }),
  );
  api.get('/nodes', (_req, res) => {
    res.json(env.registry.schemas());
  });
  api.use(runsRouter(queue, db.telemetry));
  api.use(libraryExamplesRouter({ examples: config.exampleWorkflowsDir, user: config.userWorkflowsDir }));
  api.use(workflowsRouter({ examples: config.exampleWorkflowsDir, user: config.userWorkflowsDir }));
  api.use(filesRouter(env.paths, config.uploadsDir));
  api.use(fileDownloadRouter(env.paths));
  api.use(modelsRouter(config.modelFolders));
  api.use(artifactsRouter(env.artifacts));
  api.use(interopRouter(() => env.registry.schemas(), env.paths));
  api.use(clusterRouter({ artifacts: env.artifacts, workRoot: env.workRoot, workers: runtime.cluster?.workers }));
  api.use((req, res) => sendError(res, 404, 'not-found', `no API route ${req.method} ${req.path}`));
  api.use(errorHandler(log));

  app.use('/api', api);
  serveEditor(app, path.join(config.repoRoot, 'client', 'dist'));
  return app;
}
