/** Typed calls of the server's REST API (protocol/api.ts). Errors carry the server's message. */
import type {
  FileListing,
  LogEntry,
  MetricPoint,
  ModelsListing,
  SubmitRunResponse,
  RenameResponse,
  TemplateListing,
  ValidationFailure,
  WorkflowConflict,
  WorkflowListing,
} from '../../../protocol/api';
import type { RunDetail, RunSummary } from '../../../protocol/messages';
import type { NodeSchema } from '../../../protocol/schema';
import type { WorkflowFile } from '../../../protocol/workflow';

/**
 * An API error; `code` is the server's `error` field, `validation` is set when the server refused a workflow with
 * its errors, `conflict` when a save found the library file changed since the revision it sent.
 */
export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly validation?: ValidationFailure,
    readonly code?: string,
    readonly conflict?: WorkflowConflict,
  ) {
    super(message);
  }
}

/**
 * The server refuses state-changing requests that a cross-site form could send (server/http/request-guard.ts):
 * every POST, PUT and DELETE says it is JSON, even without a body; uploads carry X-Loraflow-Upload instead.
 */
function headersFor(method: string, raw: Blob | undefined): Record<string, string> {
  if (method === 'GET') return {};
  if (raw) return { 'x-loraflow-upload': '1', 'content-type': raw.type || 'application/octet-stream' };
  return { 'content-type': 'application/json' };
}

/** A call's answer with the revision the server sent as its ETag (library workflows), quotes removed. */
async function callWithRevision<T>(
  method: string,
  url: string,
  body?: unknown,
  raw?: Blob,
  extraHeaders: Record<string, string> = {},
): Promise<{ data: T; revision?: string }> {
  const init: RequestInit = { method, headers: { ...headersFor(method, raw), ...extraHeaders } };
  if (raw) init.body = raw;
  else if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(url, init);
  const revision =
    res.headers
      .get('etag')
      ?.replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1') || undefined;
  if (res.status === 204) return { data: undefined as T, revision };
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const err = data as { error?: string; message?: string } | undefined;
    const validation = err?.error === 'validation' ? (data as ValidationFailure) : undefined;
    const conflict = err?.error === 'conflict' ? (data as WorkflowConflict) : undefined;
    const message = validation
      ? validation.errors.map((e) => e.message).join('\n')
      : (err?.message ?? err?.error ?? `${method} ${url}: HTTP ${res.status}`);
    throw new ApiCallError(message, res.status, validation, err?.error, conflict);
  }
  return { data: data as T, revision };
}

async function call<T>(method: string, url: string, body?: unknown, raw?: Blob): Promise<T> {
  return (await callWithRevision<T>(method, url, body, raw)).data;
}

const enc = encodeURIComponent;

export const api = {
  nodes: () => call<NodeSchema[]>('GET', '/api/nodes'),
  submitRun: (workflow: WorkflowFile, targets?: string[]) =>
    call<SubmitRunResponse>('POST', '/api/runs', targets ? { workflow, targets } : { workflow }),
  runs: (limit = 50) => call<RunSummary[]>('GET', `/api/runs?limit=${limit}`),
  run: (id: string) => call<RunDetail>('GET', `/api/runs/${enc(id)}`),
  cancelRun: (id: string) => call<RunSummary>('POST', `/api/runs/${enc(id)}/cancel`),
  resumeRun: (id: string) => call<RunSummary>('POST', `/api/runs/${enc(id)}/resume`),
  deleteRun: (id: string) => call<void>('DELETE', `/api/runs/${enc(id)}`),
  logs: (id: string, node?: string) =>
    call<LogEntry[]>('GET', `/api/runs/${enc(id)}/logs${node ? `?node=${enc(node)}` : ''}`),
  metrics: (id: string, node?: string) =>
    call<MetricPoint[]>('GET', `/api/runs/${enc(id)}/metrics${node ? `?node=${enc(node)}` : ''}`),
  queue: () => call<RunSummary[]>('GET', '/api/queue'),
  reorderQueue: (order: string[]) => call<RunSummary[]>('PUT', '/api/queue', { order }),
  removeQueued: (id: string) => call<void>('DELETE', `/api/queue/${enc(id)}`),
  workflows: () => call<WorkflowListing[]>('GET', '/api/workflows'),
  workflow: (name: string, source?: 'example') =>
    call<unknown>('GET', `/api/workflows/${enc(name)}${source ? `?source=${source}` : ''}`),
  /** A library workflow with its revision (what a save sends back so that it cannot overwrite a newer one). */
  workflowWithRevision: (name: string) => callWithRevision<unknown>('GET', `/api/workflows/${enc(name)}`),
  /** Renames the file `name` to `to` and, given a title, sets the workflow's own name to it. */
  renameWorkflow: (name: string, to: string, title?: string) =>
    call<RenameResponse>('POST', `/api/workflows/${enc(name)}/rename`, { to, title }),
  deleteWorkflow: (name: string) => call<void>('DELETE', `/api/workflows/${enc(name)}`),
  models: () => call<ModelsListing>('GET', '/api/models'),
  templates: () => call<TemplateListing[]>('GET', '/api/templates'),
  template: (name: string) => call<unknown>('GET', `/api/templates/${enc(name)}`),
  restoreExamples: () => call<{ restored: string[] }>('POST', '/api/workflow-examples/restore'),
  /**
   * Saves into the library. With `revision` (the one it was opened or last saved at) the server refuses with a 409
   * (ApiCallError.conflict) when the file changed since; without, it replaces whatever is there.
   */
  saveWorkflow: async (name: string, wf: WorkflowFile, revision?: string) => {
    const ifMatch: Record<string, string> = revision ? { 'if-match': `"${revision}"` } : {};
    const { data, revision: saved } = await callWithRevision<WorkflowListing>(
      'PUT',
      `/api/workflows/${enc(name)}`,
      wf,
      undefined,
      ifMatch,
    );
    return { ...data, revision: data.revision ?? saved };
  },
  files: (path: string) => call<FileListing>('GET', `/api/files?path=${enc(path)}`),
  roots: () => call<{ roots: string[] }>('GET', '/api/roots'),
  upload: (name: string, data: Blob) =>
    call<{ path: string }>('POST', `/api/uploads?name=${enc(name)}`, undefined, data),
};

/** The URL that downloads a file a node wrote (by its path on the server). */
export const downloadUrl = (path: string): string => `/api/download?path=${enc(path)}`;

/** The URL of an artifact's bytes. */
export const artifactUrl = (id: string): string => `/api/artifacts/${enc(id)}`;
