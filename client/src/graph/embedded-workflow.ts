/**
 * The workflow inside a dropped file: a LoRA .safetensors carries it in its metadata (`loraflow.workflow`), a
 * sample PNG in a `workflow` text chunk (as ComfyUI writes its own). Files from other tools say what they are.
 * Pure functions over bytes, so they are tested without a browser.
 */

export type Embedded = { kind: 'workflow'; text: string } | { kind: 'other'; message: string };

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** The text chunks of a PNG (tEXt, and iTXt without compression), by keyword. */
export function pngTextChunks(bytes: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8');
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = latin1.decode(bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length));
    const nul = data.indexOf(0);
    if (type === 'tEXt' && nul > 0)
      out.set(latin1.decode(data.subarray(0, nul)), latin1.decode(data.subarray(nul + 1)));
    if (type === 'iTXt' && nul > 0 && data[nul + 1] === 0) {
      // keyword \0 compression-flag method language \0 translated \0 text
      const lang = data.indexOf(0, nul + 3);
      const translated = lang < 0 ? -1 : data.indexOf(0, lang + 1);
      if (translated > 0) out.set(latin1.decode(data.subarray(0, nul)), utf8.decode(data.subarray(translated + 1)));
    }
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return out;
}

const isLoraflow = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && (v as { format?: unknown }).format === 'loraflow.workflow';

/** What a PNG holds: a loraflow workflow, or a sentence about the tool that made it. */
export function workflowInPng(bytes: Uint8Array): Embedded {
  const chunks = pngTextChunks(bytes);
  const workflow = chunks.get('workflow');
  let parsed: unknown;
  try {
    parsed = workflow ? JSON.parse(workflow) : undefined;
  } catch {
    parsed = undefined;
  }
  if (workflow && isLoraflow(parsed)) return { kind: 'workflow', text: workflow };
  if (workflow || chunks.has('prompt')) {
    const nodes = (parsed as { nodes?: unknown[] } | undefined)?.nodes?.length;
    return {
      kind: 'other',
      message: `This is a ComfyUI image${nodes ? ` (its workflow has ${nodes} nodes)` : ''}: loraflow cannot open ComfyUI graphs, only its own.`,
    };
  }
  const a1111 = chunks.get('parameters');
  if (a1111)
    return {
      kind: 'other',
      message: `This is an A1111 image (prompt: "${a1111.split('\n')[0]?.slice(0, 80)}"), not a loraflow workflow.`,
    };
  return { kind: 'other', message: 'This PNG carries no workflow (loraflow samples do).' };
}

/**
 * The JSON header of a .safetensors file: 8 bytes of length (little-endian), then that many bytes of JSON
 * (`fileSize`, when known, checks that the header fits in the file).
 */
export function safetensorsHeaderLength(first8: Uint8Array, fileSize?: number): number {
  // A short file has no length to read: say so rather than let DataView throw "Invalid DataView length 8".
  if (first8.length < 8)
    throw new Error(
      `${plural(fileSize ?? first8.length, 'byte')}; a safetensors file starts with an 8-byte header length`,
    );
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const length = Number(view.getBigUint64(0, true));
  if (!Number.isSafeInteger(length) || length <= 1 || length > 100_000_000)
    throw new Error(`its first 8 bytes give a header length of ${length} bytes, not a JSON header's`);
  if (fileSize !== undefined && 8 + length > fileSize)
    throw new Error(`its header claims ${plural(length, 'byte')} but the file has ${plural(fileSize, 'byte')}`);
  return length;
}

const plural = (n: number, unit: string): string => `${n.toLocaleString('en')} ${unit}${n === 1 ? '' : 's'}`;

/** What a LoRA's header holds: the loraflow workflow in its metadata, or what else made it. */
export function workflowInSafetensors(headerJson: string): Embedded {
  let header: { __metadata__?: Record<string, string> };
  try {
    header = JSON.parse(headerJson) as typeof header;
  } catch {
    return { kind: 'other', message: 'This .safetensors file has an unreadable header.' };
  }
  const meta = header.__metadata__ ?? {};
  const text = meta['loraflow.workflow'];
  if (text) return { kind: 'workflow', text };
  if (meta.ss_network_module || meta.ss_output_name)
    return {
      kind: 'other',
      message: `This LoRA was trained with kohya's sd-scripts${meta.ss_output_name ? ` ("${meta.ss_output_name}")` : ''}; it carries no loraflow workflow. Load it with a LoadLoRA node.`,
    };
  return {
    kind: 'other',
    message: 'This .safetensors file carries no loraflow workflow. Load it with a LoadLoRA node.',
  };
}
