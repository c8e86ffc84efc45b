/**
 * Workflow file migrations, one small file per format version step, applied in order on load.
 * To change the format: bump WORKFLOW_FORMAT_VERSION in protocol/workflow.ts, add `vN-to-vN+1.ts`, list it here.
 */
import { WORKFLOW_FORMAT_VERSION } from '../workflow';
import type { Migration, RawWorkflow } from './types';
import { v0ToV1 } from './v0-to-v1';

export type { Migration, RawWorkflow } from './types';

export const MIGRATIONS: readonly Migration[] = [v0ToV1];

/** The format version of a raw file: `formatVersion`, or the legacy `version` field of v0 files. */
export function detectFormatVersion(raw: RawWorkflow): number | undefined {
  if (typeof raw.formatVersion === 'number') return raw.formatVersion;
  if (typeof raw.version === 'number' && raw.format === undefined) return raw.version;
  if (raw.format === undefined && Array.isArray(raw.links)) return 0;
  return undefined;
}

/** Applies every migration from `version` up to the current format; returns the file and what was done. */
export function migrateToCurrent(raw: RawWorkflow, version: number): { raw: RawWorkflow; applied: string[] } {
  let current = raw;
  const applied: string[] = [];
  for (let v = version; v < WORKFLOW_FORMAT_VERSION; v++) {
    const step = MIGRATIONS.find((m) => m.from === v);
    if (!step) throw new Error(`no migration from workflow format version ${v}`);
    current = step.up(current);
    applied.push(`v${v} -> v${v + 1}: ${step.description}`);
  }
  return { raw: current, applied };
}
