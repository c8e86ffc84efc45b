import WebSocket from 'ws';
import { applyOverrides, OverrideError } from '../../../protocol/overrides';
import type { RunDetail, ServerMessage } from '../../../protocol/messages';
import type { NodeSchema } from '../../../protocol/schema';
import type { SubmitRunResponse, ValidationFailure } from '../../../protocol/api';
import type { WorkflowFile } from '../../../protocol/workflow';
import { UsageError } from '../args';
import { ConfigError } from '../../config';
import { err, out } from '../output';
import { ProgressRenderer } from '../progress';
import { formatSummary, nodeTitle } from '../summary';
import { formatTrainingSummaries } from '../training-summary';
import type { ArtifactRef } from '../../../protocol/values';
import type { LogEntry } from '../../../protocol/api';
import { formatValidationErrors } from '../validation-report';

const FINAL_TYPES = new Set<ServerMessage['type']>(['run.finished', 'run.failed', 'run.cancelled']);

/** The server could not be reached (nothing listens, no such host, the WebSocket refused): one line, no stack. */
function unreachable(base: string, e: unknown): ConfigError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
  return new ConfigError(
    `cannot reach the loraflow server at ${base} (${why}): is \`loraflow serve\` running there? Check --server (and --token).`,
  );
}

/** The server answered, but not with its node list: say what it said (a 401 wants --token, a 403 names its Hosts). */
function refused(base: string, status: number, body: unknown): ConfigError {
  const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : '';
  const hint = status === 401 ? ' Pass its token with --token <secret> (or LORAFLOW_TOKEN).' : '';
  return new ConfigError(`the loraflow server at ${base} answered ${status}${message ? `: ${message}` : ''}.${hint}`);
}

/** `loraflow run --server <url>`: submits over REST and follows the run over the WebSocket. */
export async function runRemote(
  server: string,
  loaded: WorkflowFile,
  sets: string[],
  token: string | undefined,
): Promise<number> {
  const base = server.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/i.test(base))
    throw new UsageError(`--server expects an http:// or https:// URL, got "${server}"`);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const api = async <T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}/api${path}`, { ...init, headers }).catch((e: unknown) => {
      throw unreachable(base, e);
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  const nodes = await api<NodeSchema[] | { message?: string }>('/nodes');
  if (nodes.status !== 200 || !Array.isArray(nodes.body)) throw refused(base, nodes.status, nodes.body);
  const schemas = nodes.body;
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
    ws.once('error', (e) => reject(unreachable(base, e)));
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
