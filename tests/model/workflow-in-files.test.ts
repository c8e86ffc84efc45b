/**
 * A sample PNG carries the workflow that drew it (a `workflow` tEXt chunk, as ComfyUI writes), and the editor finds
 * it again, as it finds a LoRA's `loraflow.workflow` metadata; files from other tools say what they are.
 */
import sharp from 'sharp';
import {
  pngTextChunks,
  safetensorsHeaderLength,
  workflowInPng,
  workflowInSafetensors,
} from '../../client/src/graph/embedded-workflow';
import { withWorkflowChunk } from '../../nodes/model/png-workflow';
import { emptyWorkflow } from '../../protocol/workflow-io';

const png = () =>
  sharp({ create: { width: 4, height: 4, channels: 3, background: '#08f' } })
    .png()
    .toBuffer();

test('a sample PNG with its workflow is still a valid image, and the workflow reads back whole (non-ASCII too)', async () => {
  const wf = { ...emptyWorkflow('Émoji style 🙂'), description: 'naïve' };
  const out = withWorkflowChunk(await png(), wf);
  const meta = await sharp(out).metadata();
  expect([meta.width, meta.height]).toEqual([4, 4]);
  const found = workflowInPng(new Uint8Array(out));
  expect(found.kind).toBe('workflow');
  expect(JSON.parse((found as { text: string }).text)).toEqual(wf);
});

test('a ComfyUI PNG says what it is; a plain PNG says it has no workflow', async () => {
  const comfy = withWorkflowChunk(await png(), { nodes: [{}, {}, {}], links: [] } as never);
  expect(pngTextChunks(new Uint8Array(comfy)).has('workflow')).toBe(true);
  expect(workflowInPng(new Uint8Array(comfy))).toEqual({
    kind: 'other',
    message: expect.stringContaining('ComfyUI image (its workflow has 3 nodes)'),
  });
  expect(workflowInPng(new Uint8Array(await png()))).toEqual({
    kind: 'other',
    message: 'This PNG carries no workflow (loraflow samples do).',
  });
});

test('a LoRA header gives its loraflow workflow; a kohya LoRA says it was made by sd-scripts', () => {
  const header = JSON.stringify({ __metadata__: { 'loraflow.workflow': JSON.stringify(emptyWorkflow('x')) } });
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(header.length));
  expect(safetensorsHeaderLength(new Uint8Array(bytes))).toBe(header.length);
  expect(workflowInSafetensors(header).kind).toBe('workflow');
  expect(workflowInSafetensors(JSON.stringify({ __metadata__: { ss_output_name: 'mystyle' } }))).toEqual({
    kind: 'other',
    message: expect.stringContaining('kohya\'s sd-scripts ("mystyle")'),
  });
  expect(() => safetensorsHeaderLength(new Uint8Array(Buffer.from('PNGPNGPN')))).toThrow(/header length of \d+ bytes/);
  expect(() => safetensorsHeaderLength(new Uint8Array([1, 2]), 2)).toThrow(
    '2 bytes; a safetensors file starts with an 8-byte header length',
  );
});
