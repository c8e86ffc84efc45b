/**
 * Sample PNGs carry the workflow that drew them, in a `workflow` tEXt chunk as ComfyUI writes its own, so that a
 * picture dropped on the editor opens the graph that made it. The JSON is escaped to ASCII (tEXt is Latin-1).
 */
import { crc32 } from 'node:zlib';
import type { WorkflowFile } from '../../protocol/workflow';

const SIGNATURE_BYTES = 8;
const IHDR_CHUNK_BYTES = 4 + 4 + 13 + 4;

/** A PNG text chunk: length, type, `keyword\0text`, CRC of type and data. */
function textChunk(keyword: string, text: string): Buffer {
  const data = Buffer.from(`${keyword}\0${text}`, 'latin1');
  const typeAndData = Buffer.concat([Buffer.from('tEXt', 'ascii'), data]);
  const out = Buffer.alloc(4 + typeAndData.length + 4);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData) >>> 0, 4 + typeAndData.length);
  return out;
}

/** `png` with the workflow in a `workflow` text chunk right after its header; unchanged without a workflow. */
export function withWorkflowChunk(png: Buffer, workflow: WorkflowFile | undefined): Buffer {
  if (!workflow) return png;
  const ascii = JSON.stringify(workflow).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const at = SIGNATURE_BYTES + IHDR_CHUNK_BYTES;
  return Buffer.concat([png.subarray(0, at), textChunk('workflow', ascii), png.subarray(at)]);
}
