/**
 * Planning, step 1½: before a node's key is computed (and so before it runs), every parameter its schema marks as a
 * path or a part of one goes through the path policy. A node cannot forget a check: marking the parameter is
 * enough, and tests/engine/path-escapes.test.ts tries the escape tricks on every marked parameter of every node.
 * Existence is not checked here (an earlier node of the same run may create the file); nodes check it when they run.
 */
import { pathLikeParams, type NodeSchema, type ParamSpec } from '../../protocol/schema';
import { parseLoraTags } from '../../protocol/lora-tags';
import type { Params, PathPolicy } from '../../nodes/api';
import { convertedParamNames } from '../../protocol/param-inputs';
import type { WorkflowFile } from '../../protocol/workflow';
import { ownFilesProblem } from '../../nodes/dataset/imaging/own-files';

/** Placeholders of name templates (SaveCheckpoint's `{name}-{step}`) stand for checked names: any will do here. */
const PLACEHOLDER = /\{[a-z]+\}/g;

function stringsOf(value: Params[string]): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Throws the policy's PathError (naming the parameter) for the first marked parameter that would leave the roots. */
export function checkPathParam(spec: ParamSpec, value: Params[string], paths: PathPolicy): void {
  for (const text of stringsOf(value)) {
    if (text === '') continue; // empty: the node's default or its own "no path given" error
    if (spec.kind === 'path' || spec.pathPart === 'path-list') paths.resolve(text, 'check', spec.name);
    else if (spec.pathPart === 'name') paths.name(text, spec.name);
    else if (spec.pathPart === 'extension') paths.extension(text, spec.name);
    else if (spec.pathPart === 'name-template') paths.name(text.replace(PLACEHOLDER, 'x'), spec.name, 'name template');
    else if (spec.pathPart === 'lora-tags')
      for (const tag of parseLoraTags(text).tags) paths.name(tag.name, spec.name, 'LoRA name in <lora:…>');
  }
}

/** Checks every path-like parameter of a node; throws on the first refusal. */
export function checkPathParams(schema: NodeSchema, params: Params, paths: PathPolicy): void {
  for (const spec of pathLikeParams(schema)) checkPathParam(spec, params[spec.name] ?? spec.default, paths);
}

/** Why an image folder parameter names loraflow's own files (its data folder, artifacts/, work/), if it does. */
function imageFolderProblem(value: Params[string], paths: PathPolicy): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  let real: string;
  try {
    real = paths.resolve(value, 'read', 'folder');
  } catch {
    return undefined; // missing or refused: said by the checks above, or when the node runs
  }
  return ownFilesProblem(real);
}

/** One refused path-like parameter of a workflow's node. */
export interface PathRefusal {
  nodeId: string;
  nodeType: string;
  param: string;
  /** The policy's reason, without its `parameter "…": ` prefix. */
  why: string;
}

/**
 * The path checks a run makes, over a whole workflow before it is queued or run (`POST /api/runs`, `loraflow run`
 * and `loraflow validate`): every path-like parameter of every active node that is typed in (a wired one is checked
 * when its node runs). `readsMustExist` also refuses a folder or file to read that is not there (`validate`; a run
 * may create it in an earlier node).
 */
export function workflowPathRefusals(
  wf: WorkflowFile,
  schemas: readonly NodeSchema[],
  paths: PathPolicy,
  readsMustExist = false,
): PathRefusal[] {
  const byType = new Map(schemas.map((s) => [s.type, s]));
  const refusals: PathRefusal[] = [];
  for (const node of wf.nodes) {
    const schema = byType.get(node.type);
    if (!schema || node.mode === 'mute' || node.mode === 'bypass') continue;
    const wired = convertedParamNames(node);
    for (const spec of pathLikeParams(schema)) {
      if (wired.includes(spec.name)) continue;
      const value = node.params[spec.name] ?? spec.default;
      try {
        checkPathParam(spec, value, paths);
        const read = readsMustExist && spec.kind === 'path' && spec.access === 'read';
        if (read && typeof value === 'string' && value.trim() !== '') paths.resolve(value, 'read', spec.name);
        const own = spec.imageFolder ? imageFolderProblem(value, paths) : undefined;
        if (own) throw new Error(own);
      } catch (e) {
        const why = e instanceof Error ? e.message.replace(/^parameter "[^"]*": /, '') : String(e);
        refusals.push({ nodeId: node.id, nodeType: node.type, param: spec.name, why });
      }
    }
  }
  return refusals;
}
