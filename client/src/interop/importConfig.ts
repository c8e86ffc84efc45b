/**
 * Importing other tools' configs in the editor: the files go to POST /api/import (the server maps them, see
 * protocol/interop), the workflow opens in a new tab, and the summary shows as a toast and as the note the
 * import puts on the canvas. A dropped or chosen loraflow workflow .json still simply opens.
 */
import type { ConfigFile, ImportRequest, ImportResponse } from '../../../protocol/interop/types';
import { openWorkflowText } from '../actions';
import { openTab } from '../store/editor';
import { toast } from '../store/toasts';

const CONFIG_EXT = /\.(toml|ya?ml|json|txt)$/i;

/** Whether a dropped file is something this module can open (a config, or a workflow .json). */
export function isConfigOrWorkflow(file: File): boolean {
  return CONFIG_EXT.test(file.name) || file.type === 'application/json';
}

function isWorkflowText(text: string): boolean {
  try {
    return (JSON.parse(text) as { format?: unknown } | null)?.format === 'loraflow.workflow';
  } catch {
    return false; // not JSON at all: the import reports it, naming the file
  }
}

/** The file the others belong to: a job or training config before a dataset config before a prompts file. */
function mainFile(files: ConfigFile[]): ConfigFile {
  const rank = (f: ConfigFile): number => {
    if (/\.(ya?ml|json)$/i.test(f.name)) return 0;
    if (/\.toml$/i.test(f.name)) return /^\s*\[\[datasets\]\]/m.test(f.text) ? 2 : 1;
    return 3;
  };
  return [...files].sort((a, b) => rank(a) - rank(b))[0]!;
}

async function postImport(body: ImportRequest): Promise<ImportResponse> {
  const res = await fetch('/api/import', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as ImportResponse & { message?: string };
  if (!res.ok) throw new Error(data.message ?? `import failed: HTTP ${res.status}`);
  return data;
}

/** Imports configs (with the companion files they name) into a new tab; workflow .json files just open. */
export async function importFiles(files: readonly File[]): Promise<void> {
  const texts: ConfigFile[] = [];
  for (const f of files.filter(isConfigOrWorkflow)) {
    const text = await f.text();
    if (f.name.toLowerCase().endsWith('.json') && isWorkflowText(text)) openWorkflowText(text);
    else texts.push({ name: f.name, text });
  }
  if (texts.length === 0) return;
  const main = mainFile(texts);
  try {
    const result = await postImport({ ...main, files: texts.filter((f) => f !== main) });
    openTab(result.workflow);
    const { mapped, ignored } = result.summary;
    toast(
      `Imported ${main.name}: ${mapped.length} settings mapped, ${ignored.length} not supported ` +
        '(listed in the note on the canvas).',
      'info',
      8000,
    );
    const missing = ignored.filter((i) => /not given with the config/.test(i.reason)).map((i) => i.value);
    if (missing.length > 0)
      toast(`${main.name} names ${missing.join(', ')}: select it with the config`, 'error', 10000);
    for (const p of result.pathProblems) toast(p.message, 'error', 10000);
  } catch (e) {
    toast(`Cannot import ${main.name}: ${(e as Error).message}`, 'error', 8000);
  }
}
