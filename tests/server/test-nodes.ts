/**
 * Node types registered only for the server tests (through LORAFLOW_EXTRA_NODES). Small and fast, but they
 * exercise what real nodes do: progress with metrics, cancellation, artifacts, path parameters, failures.
 */
import fs from 'node:fs';
import { defineNode, NodeUserError, type NodeDefinition } from '../../nodes/api';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason ?? new Error('aborted'));
      },
      { once: true },
    );
  });

/** A number source. */
const testNumber = defineNode({
  schema: {
    type: 'TestNumber',
    version: 1,
    category: 'test',
    title: 'Test number',
    description: 'Outputs its value.',
    inputs: [],
    outputs: [{ name: 'value', type: 'NUMBER' }],
    params: [{ name: 'value', kind: 'number', default: 1, min: -1000, max: 1000 }],
    resource: 'cpu',
    cacheable: true,
  },
  async execute(_inputs, params) {
    return { value: Number(params.value) };
  },
});

/** Adds its inputs after `ms` milliseconds, reporting progress with a fake loss every step. */
const testSlowAdd = defineNode({
  schema: {
    type: 'TestSlowAdd',
    version: 1,
    category: 'test',
    title: 'Slow add',
    description: 'a + b, slowly.',
    inputs: [
      { name: 'a', type: 'NUMBER' },
      { name: 'b', type: 'NUMBER', optional: true },
    ],
    outputs: [{ name: 'sum', type: 'NUMBER' }],
    params: [
      { name: 'ms', kind: 'int', default: 50, min: 0, max: 600000 },
      { name: 'steps', kind: 'int', default: 5, min: 1, max: 100000 },
      { name: 'mode', kind: 'enum', default: 'add', options: ['add', 'fail'] },
    ],
    resource: 'cpu',
    cacheable: true,
  },
  async execute(inputs, params, ctx) {
    const steps = Number(params.steps);
    for (let i = 1; i <= steps; i++) {
      await sleep(Number(params.ms) / steps, ctx.signal);
      ctx.progress(i, steps, { loss: 1 / i });
    }
    if (params.mode === 'fail') throw new NodeUserError('asked to fail', 'set mode to add', 'mode');
    ctx.log('info', `added after ${steps} steps`);
    return { sum: Number(inputs.a) + Number(inputs.b ?? 0) };
  },
});

/** Writes a text report as an artifact (an output node). */
const testReport = defineNode({
  schema: {
    type: 'TestReport',
    version: 1,
    category: 'test',
    title: 'Report',
    description: 'Writes the number into a file.',
    inputs: [{ name: 'value', type: 'NUMBER' }],
    outputs: [{ name: 'report', type: 'FILE' }],
    params: [{ name: 'label', kind: 'string', default: 'result' }],
    resource: 'cpu',
    cacheable: true,
    output: true,
  },
  async execute(inputs, params, ctx) {
    const ref = await ctx.artifacts.put(
      Buffer.from(`${String(params.label)}: ${String(inputs.value)}\n`),
      'text/plain',
      'report.txt',
    );
    ctx.preview(ref, 'report');
    return { report: ref };
  },
});

/** Counts the files of a folder named by a path parameter (resolved through the path policy). */
const testCountFiles = defineNode({
  schema: {
    type: 'TestCountFiles',
    version: 1,
    category: 'test',
    title: 'Count files',
    description: 'Counts files in a folder.',
    inputs: [],
    outputs: [{ name: 'count', type: 'NUMBER' }],
    params: [{ name: 'folder', kind: 'path', default: '.', pathKind: 'folder', access: 'read' }],
    resource: 'cpu',
    cacheable: false,
  },
  async execute(_inputs, params, ctx) {
    const folder = ctx.paths.resolve(String(params.folder), 'read', 'folder');
    return { count: fs.readdirSync(folder).length };
  },
});

/** Logs `lines` lines of `bytes` characters as fast as it can (to flood slow WebSocket clients). */
const testChatty = defineNode({
  schema: {
    type: 'TestChatty',
    version: 1,
    category: 'test',
    title: 'Chatty',
    description: 'Logs a lot.',
    inputs: [],
    outputs: [{ name: 'lines', type: 'NUMBER' }],
    params: [
      { name: 'lines', kind: 'int', default: 1000, min: 1, max: 1000000 },
      { name: 'bytes', kind: 'int', default: 100, min: 1, max: 100000 },
    ],
    resource: 'cpu',
    cacheable: false,
  },
  async execute(_inputs, params, ctx) {
    const line = 'x'.repeat(Number(params.bytes));
    for (let i = 0; i < Number(params.lines); i++) {
      ctx.log('debug', line);
      if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return { lines: Number(params.lines) };
  },
});

export const nodes: NodeDefinition[] = [
  testNumber,
  testSlowAdd,
  testReport,
  testCountFiles,
  testChatty,
] as unknown as NodeDefinition[];
