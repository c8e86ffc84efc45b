/**
 * Shapes shared by the importers and exporters of other tools' configs (kohya sd-scripts, the kohya_ss GUI,
 * ai-toolkit). Pure data: the editor and the server both use them.
 */
import type { ParamValue } from '../schema';
import type { WorkflowFile } from '../workflow';

/** The config formats loraflow reads. */
export type ConfigFormat = 'kohya-toml' | 'kohya-dataset-toml' | 'kohya-gui-json' | 'aitoolkit-yaml' | 'sample-prompts';

/** The tools loraflow writes configs for. */
export type ExportTarget = 'kohya' | 'ai-toolkit';

/** Model families the other tools train; loraflow's own built-in model is none of them. */
export type ModelFamily = 'sd15' | 'sd2' | 'sdxl' | 'flux';

export const FAMILY_NAMES: Record<ModelFamily, string> = { sd15: 'SD 1.5', sd2: 'SD 2.x', sdxl: 'SDXL', flux: 'FLUX' };

/** A config file as the user gave it: its name (for the format and the summary) and its text. */
export interface ConfigFile {
  name: string;
  text: string;
}

/** A setting of the source config that became a node parameter. */
export interface MappedSetting {
  setting: string;
  node: string;
  param: string;
  value: ParamValue;
  note?: string;
}

/** A setting loraflow has no parameter for: reported by name, never silently dropped. */
export interface IgnoredSetting {
  setting: string;
  value: string;
  reason: string;
}

/** What an import did: what was mapped, what was ignored and why, and anything else the user should know. */
export interface ImportSummary {
  format: ConfigFormat;
  file: string;
  mapped: MappedSetting[];
  ignored: IgnoredSetting[];
  notes: string[];
  family?: ModelFamily;
}

/** A path parameter of the imported workflow that the server's allowed folders refuse. */
export interface PathProblem {
  nodeId: string;
  param: string;
  path: string;
  message: string;
}

export interface ImportResult {
  workflow: WorkflowFile;
  summary: ImportSummary;
}

/** One written file of an export. */
export interface ExportedFile {
  name: string;
  text: string;
}

export interface ExportResult {
  target: ExportTarget;
  files: ExportedFile[];
  /** What the target tool cannot express, and what the user must do by hand. */
  warnings: string[];
}

/** Body of POST /api/import. `files` carries companions named by the config (dataset config, sample prompts). */
export interface ImportRequest {
  name: string;
  text: string;
  files?: ConfigFile[];
}

export interface ImportResponse extends ImportResult {
  /** Paths outside the server's allowed folders, each naming the node and parameter (the run would refuse them). */
  pathProblems: PathProblem[];
}

/** Body of POST /api/export. */
export interface ExportRequest {
  workflow: WorkflowFile;
  to: ExportTarget;
  family?: ModelFamily;
}

export type ExportResponse = ExportResult;
