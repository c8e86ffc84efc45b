/**
 * REST API shapes under `/api`. The server implements them, the editor and `loraflow run --server` call them.
 *
 * GET    /api/health                       -> { ok: true, version }
 * GET    /api/nodes                        -> NodeSchema[]            (all node schemas)
 * POST   /api/runs        SubmitRunRequest -> 201 SubmitRunResponse | 400 ValidationFailure
 * GET    /api/runs?limit&offset            -> RunSummary[]            (history, newest first)
 * GET    /api/runs/:id                     -> RunDetail
 * POST   /api/runs/:id/cancel              -> RunSummary
 * POST   /api/runs/:id/resume              -> RunSummary              (re-queues an interrupted/failed/cancelled run)
 * DELETE /api/runs/:id                     -> 204
 * GET    /api/runs/:id/logs?node           -> LogEntry[]
 * GET    /api/runs/:id/metrics?node        -> MetricPoint[]
 * GET    /api/queue                        -> RunSummary[]
 * PUT    /api/queue       { order: id[] }  -> RunSummary[]            (reorder queued runs)
 * DELETE /api/queue/:id                    -> 204                     (remove a queued run)
 * GET    /api/artifacts/:id                -> the bytes, with its mime type
 * GET    /api/workflows                    -> WorkflowListing[]
 * GET    /api/workflows/:name              -> WorkflowFile, with its revision as the ETag header
 * PUT    /api/workflows/:name  WorkflowFile-> WorkflowListing (with the new revision; also as ETag)
 *        with If-Match: "<revision>"       -> 409 WorkflowConflict when the file changed since that revision
 *        (without If-Match the save replaces whatever is there, as scripts and older clients expect)
 * DELETE /api/workflows/:name              -> 204
 * GET    /api/workflows/:name?source=example -> WorkflowFile           (the shipped example, even under a copy)
 * PUT to an example's name                  -> 409 (examples are read-only: save under another name)
 * POST   /api/workflows/:name/rename { to } -> RenameResponse
 * POST   /api/workflow-examples/restore    -> { restored: names }     (removes copies saved over examples)
 * GET    /api/templates                    -> TemplateListing[]       (the template gallery)
 * GET    /api/templates/:name              -> WorkflowFile
 * GET    /api/templates/:name/picture      -> image/png                (a result of the template, where one ships)
 * GET    /api/download?path                -> the bytes of a file a node wrote (allowed folders only)
 * GET    /api/models                       -> ModelsListing           (checkpoint and LoRA folders and files)
 * GET    /api/files?path                   -> FileListing (folder browser limited to allowed roots)
 * POST   /api/uploads?name                 -> { path } (raw image bytes into the uploads folder)
 * GET    /api/roots                        -> { roots: string[] }
 * POST   /api/import      ImportRequest    -> ImportResponse          (kohya / ai-toolkit config -> workflow, summary)
 * POST   /api/export      ExportRequest    -> ExportResponse          (workflow -> sd-scripts / ai-toolkit files)
 * GET    /api/workers                      -> WorkersResponse         (workers of a --redis server)
 */
import type { WorkflowFile } from './workflow';
import type { ValidationError } from './validation-types';
import type { LogLevel } from './messages';
import type { CheckpointEvent, SampleEvent } from './values';

export interface SubmitRunRequest {
  workflow: WorkflowFile;
  /** Node ids to run (with what they depend on); all output nodes when absent. */
  targets?: string[];
}

export interface SubmitRunResponse {
  id: string;
}

export interface ValidationFailure {
  error: 'validation';
  errors: ValidationError[];
  /** The same errors keyed by node id ('' for graph-level errors). */
  byNode: Record<string, ValidationError[]>;
  /** Set when validation stopped at WORKFLOW_LIMITS.reportedErrors: there are more. */
  truncated?: boolean;
}

export interface ApiError {
  error: string;
  message: string;
}

export interface WorkflowListing {
  name: string; // file name without .json
  title: string;
  description?: string;
  modifiedAt: number;
  example: boolean;
  /** A digest of the file's bytes (the GET's ETag): any change to the file, by anyone, gives a new one. */
  revision?: string;
}

/** A save with If-Match refused because the file is no longer that revision (another window or a script saved). */
export interface WorkflowConflict extends ApiError {
  error: 'conflict';
  /** The file's revision now; null when it was deleted meanwhile. */
  revision: string | null;
}

/** A rename's answer: the file's revision before and after (a title rewrites it), so open tabs can follow. */
export interface RenameResponse {
  name: string;
  revision?: string;
  previousRevision?: string;
}

/** Model folders (loraflow's own, and ComfyUI / A1111 installs given with --models) and the files in them. */
export interface ModelsListing {
  folders: { kind: 'checkpoints' | 'loras'; path: string; source: string }[];
  checkpoints: { path: string; bytes: number; source: string }[];
  loras: { path: string; bytes: number; source: string }[];
  /**
   * Files of those folders that are not offered, with why: pickles (.ckpt, .pt, …), which loraflow does not load
   * because unpickling can run code. The pickers show them apart, so that a missing v1-5.ckpt is explained.
   */
  refused: { kind: 'checkpoints' | 'loras'; path: string; bytes: number; source: string; reason: string }[];
}

/** A card of the template gallery: what the scenario is, and its graph in outline for a small drawing. */
export interface TemplateListing {
  name: string;
  title: string;
  description: string;
  /** style, character, object, likeness, dataset, compare, stack. */
  scenario: string;
  nodes: { id: string; type: string; x: number; y: number }[];
  edges: [string, string][];
  /** URL of a picture of what the template makes (drawn by the built-in model), where one ships. */
  picture?: string;
}

export interface LogEntry {
  nodeId: string;
  level: LogLevel;
  message: string;
  at: number;
}

export interface MetricPoint {
  nodeId: string;
  step: number;
  at: number;
  metrics: Record<string, number>;
  /** A checkpoint written at this step (its point's `metrics` are then empty). */
  checkpoint?: CheckpointEvent;
  /** Sample images drawn at this step (its point's `metrics` are then empty). */
  sample?: SampleEvent;
}

export interface FileListing {
  path: string;
  entries: { name: string; kind: 'file' | 'folder'; bytes?: number }[];
}

/** A worker process of a `serve --redis` server: its device, the node it runs and when it last said so. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  device: string;
  pool?: string;
  startedAt: number;
  lastHeartbeat: number;
  job?: { id: string; runId: string; nodeId: string; type: string; startedAt: number };
}

export interface WorkersResponse {
  /** False on a server without --redis: its nodes run in the server itself. */
  cluster: boolean;
  workers: WorkerInfo[];
}
