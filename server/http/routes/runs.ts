import { Router, type Response } from 'express';
import type { RunQueue, SubmitResult } from '../../queue';
import type { TelemetryStore } from '../../db';
import type { SubmitRunResponse, ValidationFailure } from '../../../protocol/api';
import { errorsByNode } from '../../../protocol/validate';
import { sendError } from '../errors';
import { parseBody, reorderQueueBody, submitRunBody } from '../bodies';

/** Answers a refused submission: 400 with every validation error keyed by node, or the parse problem. */
function sendRefusal(res: Response, result: Exclude<SubmitResult, { ok: true }>): void {
  if (result.kind === 'validation') {
    const body: ValidationFailure = { error: 'validation', errors: result.errors, byNode: errorsByNode(result.errors) };
    if (result.truncated) body.truncated = true;
    res.status(400).json(body);
  } else if (result.kind === 'too-large') {
    sendError(res, 413, 'too-large', result.message);
  } else {
    sendError(res, 400, 'bad-workflow', result.message);
  }
}

function intParam(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'string' ? Number.parseInt(value, 10) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.min(n, max) : fallback;
}

/** Runs and the queue: submit, history, cancel, resume, delete, logs, metrics, reorder. */
export function runsRouter(queue: RunQueue, telemetry: TelemetryStore): Router {
  const router = Router();

  router.post('/runs', (req, res) => {
    const body = parseBody(submitRunBody, req.body, res, '{ workflow, targets?: [node ids] }');
    if (!body) return;
    const result = queue.submit(body.workflow, body.targets);
    if (!result.ok) return sendRefusal(res, result);
    const answer: SubmitRunResponse = { id: result.id };
    res.status(201).json(answer);
  });

  router.get('/runs', (req, res) => {
    res.json(queue.list(intParam(req.query.limit, 50, 1000), intParam(req.query.offset, 0, Number.MAX_SAFE_INTEGER)));
  });

  router.get('/runs/:id', (req, res) => {
    const detail = queue.detail(req.params.id);
    if (!detail) return sendError(res, 404, 'not-found', `no run ${req.params.id}`);
    res.json(detail);
  });

  router.post('/runs/:id/cancel', (req, res) => {
    const summary = queue.cancel(req.params.id);
    if (!summary) return sendError(res, 404, 'not-found', `no run ${req.params.id}`);
    res.json(summary);
  });

  router.post('/runs/:id/resume', (req, res) => {
    const result = queue.resume(req.params.id);
    if (!result) return sendError(res, 404, 'not-found', `no run ${req.params.id}`);
    if (!result.ok)
      return result.kind === 'bad-request'
        ? sendError(res, 409, 'not-resumable', result.message)
        : sendRefusal(res, result);
    res.json(queue.summary(result.id));
  });

  router.delete('/runs/:id', (req, res) => {
    const outcome = queue.deleteRun(req.params.id);
    if (outcome === 'not-found') return sendError(res, 404, 'not-found', `no run ${req.params.id}`);
    if (outcome === 'active')
      return sendError(res, 409, 'run-active', `run ${req.params.id} is queued or running: cancel it first`);
    res.status(204).end();
  });

  router.get('/runs/:id/logs', (req, res) => {
    if (!queue.summary(req.params.id)) return sendError(res, 404, 'not-found', `no run ${req.params.id}`);
    res.json(telemetry.logs(req.params.id, typeof req.query.node === 'string' ? req.query.node : undefined));
  });

  router.get('/runs/:id/metrics', (req, res) => {
    const id = req.params.id;
    if (!queue.summary(id)) return sendError(res, 404, 'not-found', `no run ${id}`);
    const node = typeof req.query.node === 'string' ? req.query.node : undefined;
    // A node served from the cache trained nothing in this run: its curves are those of the run that computed it.
    const inherited = [...queue.cachedOrigins(id)]
      .filter(([nodeId]) => node === undefined || nodeId === node)
      .flatMap(([nodeId, from]) => telemetry.metrics(from.runId, from.nodeId).map((p) => ({ ...p, nodeId })));
    res.json([...telemetry.metrics(id, node), ...inherited]);
  });

  router.get('/queue', (_req, res) => {
    res.json(queue.queue());
  });

  router.put('/queue', (req, res) => {
    const body = parseBody(reorderQueueBody, req.body, res, '{ order: [run ids] }');
    if (!body) return;
    const result = queue.reorder(body.order);
    if (!result.ok) return sendError(res, 409, 'not-queued', result.message);
    res.json(queue.queue());
  });

  router.delete('/queue/:id', (req, res) => {
    if (!queue.remove(req.params.id))
      return sendError(res, 404, 'not-queued', `run ${req.params.id} is not in the queue`);
    res.status(204).end();
  });

  return router;
}
