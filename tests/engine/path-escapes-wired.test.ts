/**
 * The escape tricks of path-escapes.test.ts, arriving by wire: every path-like parameter converted to an input and
 * driven by a Text node must be refused just as a typed value is, before the node runs, naming the parameter, with
 * nothing outside the data folder changed.
 *
 *   wired(Text{trick}) ──text──▶ target.param:<name>      (sources feed the target's required inputs)
 *
 * Through the engine for the nodes that need no input (their check happens once Text has run); for the nodes whose
 * inputs need a model or a dataset, the check the executor calls (wired-params.ts) on the real path policy.
 */
import { builtinNodes } from '../../nodes';
import { paramSocketName } from '../../protocol/param-inputs';
import { validateWorkflow } from '../../protocol/validate';
import type { WorkflowFile } from '../../protocol/workflow';
import { applyWiredParams } from '../../server/engine/wired-params';
import { normalizeParams } from '../../server/engine/cache-key';
import { describeNodeError } from '../../server/engine/hints';
import { tricks, type Trick } from '../../scripts/path-escape/sandbox';
import {
  applies,
  namesParam,
  pathTargets,
  TARGET_ID,
  workflowFor,
  type Target,
} from '../../scripts/path-escape/targets';
import { attemptEscape, useEscapeEngine } from './escape-engine';

const schemas = builtinNodes.map((d) => d.schema);
const engine = useEscapeEngine();

const targets = pathTargets(schemas);
const needsNoInput = (t: Target) => schemas.find((s) => s.type === t.type)!.inputs.every((i) => i.optional);

/** What a Text node sends for a trick: one string (a list parameter takes it as its one item). */
function wiredText(target: Target, trick: Trick): string {
  return target.param.pathPart === 'lora-tags' ? `a cat <lora:${trick.value}:1>` : trick.value;
}

/** The target with its parameter converted (its typed value harmless) and a Text node wired into it. */
function wiredWorkflow(target: Target, text: string): WorkflowFile {
  // box.data: LoadImages needs a folder or uploads, so that validation has nothing to say and the wire alone is tested.
  const wf = workflowFor(schemas, target, target.param.default, engine.box.data);
  wf.nodes.find((n) => n.id === TARGET_ID)!.paramInputs = [target.param.name];
  wf.nodes.push({ id: 'wired', type: 'Text', params: { text }, position: { x: 0, y: 0 } });
  wf.edges.push({
    id: 'e-wired',
    from: { node: 'wired', socket: 'text' },
    to: { node: TARGET_ID, socket: paramSocketName(target.param.name) },
  });
  return wf;
}

test('the engine covers at least the loaders and ListFiles end to end', () => {
  expect(targets.filter(needsNoInput).map((t) => `${t.type}.${t.param.name}`)).toEqual(
    expect.arrayContaining(['ListFiles.folder', 'LoadImages.folder', 'LoadImages.uploads', 'LoadModel.file']),
  );
});

describe.each(targets.filter(needsNoInput).map((t) => [`${t.type}.${t.param.name}`, t] as const))(
  '%s, wired from a Text node, through the engine',
  (_label, target) => {
    test('refuses every escape trick before the node runs, naming the parameter; nothing outside changes', async () => {
      const results: string[] = [];
      for (const trick of tricks(engine.box).filter((t) => applies(target, t))) {
        const wf = wiredWorkflow(target, wiredText(target, trick));
        expect(validateWorkflow(wf, schemas)).toEqual([]); // nothing to see before the run: the value is on a wire
        const runId = `wired-escape-${target.type}-${target.param.name}-${trick.id}`;
        results.push(await attemptEscape(engine, target, trick.id, runId, wf));
      }
      expect(results.filter((r) => !r.endsWith(': refused'))).toEqual([]);
      expect(results.length).toBeGreaterThanOrEqual(8);
    });
  },
);

describe.each(targets.map((t) => [`${t.type}.${t.param.name}`, t] as const))(
  '%s, wired: the check the executor runs before the node starts',
  (_label, target) => {
    test('refuses every escape trick, naming the parameter', () => {
      const schema = schemas.find((s) => s.type === target.type)!;
      const node = wiredWorkflow(target, '').nodes.find((n) => n.id === TARGET_ID)!;
      const results: string[] = [];
      for (const trick of tricks(engine.box).filter((t) => applies(target, t))) {
        const inputs = { [paramSocketName(target.param.name)]: wiredText(target, trick) };
        let error: ReturnType<typeof describeNodeError> | undefined;
        try {
          applyWiredParams(schema, node, normalizeParams(schema, node.params), inputs, engine.env.paths);
        } catch (e) {
          error = describeNodeError(e);
        }
        results.push(`${trick.id}: ${namesParam(error, target.param.name) ? 'refused' : 'NOT REFUSED'}`);
      }
      expect(results.filter((r) => !r.endsWith(': refused'))).toEqual([]);
    });
  },
);
