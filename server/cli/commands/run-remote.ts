import WebSocket from 'ws';
import { applyOverrides, OverrideError } from '../../../protocol/overrides';
import type { RunDetail, ServerMessage } from '../../../protocol/messages';
import type { NodeSchema } from '../../../protocol/schema';
import type { SubmitRunResponse, ValidationFailure } from '../../../protocol/api';
import type { WorkflowFile } from '../../../protocol/workflow';
import { UsageError } from '../args';
import { err, out } from '../output';
import { ProgressRenderer } from '../progress';
import { formatSummary, nodeTitle } from '../summary';
import { formatTrainingSummaries } from '../training-summary';
import type { ArtifactRef } from '../../../protocol/values';
import type { LogEntry } from '../../../protocol/api';
import { formatValidationErrors } from '../validation-report';

const FINAL_TYPES = new Set<ServerMessage['type']>(['run.finished', 'run.failed', 'run.cancelled']);

/** `loraflow run --server <url>`: submits over REST and follows the run over the WebSocket. */
export async function runRemote(
  server: string,
  loaded: WorkflowFile,
  sets: string[],
  token: string | undefined,
): Promise<number> {
  const base = server.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const api = async <T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}/api${path}`, { ...init, headers });
    return { status: res.status, body: (await res.json()) as T };
  };

  const schemas = (await api<NodeSchema[]>('/nodes')).body;
  let workflow: WorkflowFile;
  try {
    workflow = applyOverrides(loaded, schemas, sets);
  } catch (e) {
    if (e instanceof OverrideError) throw new UsageError(e.message);
    throw e;
  }

  // Listen before submitting so that no message of the run is missed.
  const wsUrl = `${base.replace(/^http/, 'ws')}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const renderer = new ProgressRenderer((nodeId) => nodeTitle(workflow, schemas, nodeId));
  let runId = '';
  const early: ServerMessage[] = [];
  let resolveFinal: () => void = () => {};
  const finished = new Promise<void>((resolve) => (resolveFinal = resolve));
  const handle = (m: ServerMessage) => {
    const id = 'runId' in m ? m.runId : 'run' in m ? m.run.id : undefined;
    if (id !== runId) return;
    renderer.handle(m);
    if (FINAL_TYPES.has(m.type)) resolveFinal();
  };
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as ServerMessage;
    if (runId === '') early.push(m);
    else handle(m);
  });

  const submitted = await api<SubmitRunResponse | ValidationFailure | { message: string }>('/runs', {
    method: 'POST',
    body: JSON.stringify({ workflow }),
  });
  if (submitted.status !== 201) {
    ws.close();
    const body = submitted.body;
    out(
      'errors' in body
        ? formatValidationErrors(body.errors)
        : 'message' in body
          ? body.message
          : `HTTP ${submitted.status}`,
    );
    return 1;
  }
  runId = (submitted.body as SubmitRunResponse).id;
  early.forEach(handle);

  const onSigint = () => {
    err('\ncancelling on the server…');
    void api(`/runs/${runId}/cancel`, { method: 'POST' });
  };
  process.on('SIGINT', onSigint);
  await finished;
  process.off('SIGINT', onSigint);
  ws.close();
  renderer.stop();
  const detail = (await api<RunDetail>(`/runs/${runId}`)).body;
  const tokenQuery = token ? `?token=${encodeURIComponent(token)}` : '';
  const location = (ref: ArtifactRef) => `${base}/api/artifacts/${ref.$artifact}${tokenQuery}`;
  out(formatSummary(detail, schemas, location));
  const logs = (await api<LogEntry[]>(`/runs/${runId}/logs`)).body;
  const logsOf = (nodeId: string) => (Array.isArray(logs) ? logs.filter((l) => l.nodeId === nodeId) : []);
  const training = formatTrainingSummaries(detail, logsOf, (id) => nodeTitle(workflow, schemas, id), location);
  if (training.length > 0) out(['training:', ...training].join('\n'));
  if (detail.status === 'cancelled') return 130;
  return detail.status === 'succeeded' ? 0 : 1;
}
