/** One step of the workflow file format: turns a raw file of version `from` into version `from + 1`. */
export interface Migration {
  from: number;
  /** One line for the changelog and for warnings shown when an old file is loaded. */
  description: string;
  up(raw: RawWorkflow): RawWorkflow;
}

/** A workflow file as parsed JSON, before its shape is checked. */
export type RawWorkflow = Record<string, unknown>;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
