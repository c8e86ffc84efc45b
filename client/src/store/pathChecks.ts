/**
 * Whether the paths a workflow reads exist, asked of the server (GET /api/files applies the same allowed-folder
 * rules as a run): a folder that is not there is reported on its field before running, not minutes into a run.
 */
import type { NodeSchema, ParamSpec, PathKind } from '../../../protocol/schema';
import { isParamVisible } from '../../../protocol/validate';
import type { WorkflowFile } from '../../../protocol/workflow';
import { convertedParamNames } from '../../../protocol/param-inputs';
import { api, ApiCallError } from '../api/http';
import { createStore } from './createStore';

/** Problems by path text: undefined while unknown, '' when the path is fine. */
export const pathChecksStore = createStore<Record<string, string>>({});

const keyOf = (path: string, kind: PathKind): string => `${kind}:${path}`;

/** The known problem of a path ('' when fine, undefined when not checked yet). */
export const pathProblem = (s: Record<string, string>, path: string, kind: PathKind): string | undefined =>
  s[keyOf(path, kind)];

/** The server's refusal without its own parameter name (the field shows it under the node's parameter). */
const serverSays = (e: Error): string => e.message.replace(/^parameter "path":\s*/, '');

/** Asks the server whether `path` is an existing folder (or file); stores and returns the problem, '' when none. */
export async function checkPath(path: string, kind: PathKind): Promise<string> {
  let problem = '';
  try {
    await api.files(path);
    if (kind === 'file') problem = `"${path}" is a folder, not a file`;
  } catch (e) {
    // No answer at all (the server is away) says nothing about the path: the run's submit reports the server.
    if (!(e instanceof ApiCallError)) return '';
    const isFile = e.status === 400 && /is a file/.test(e.message);
    if (!(isFile && kind !== 'folder')) problem = isFile ? `"${path}" is a file, not a folder` : serverSays(e);
  }
  pathChecksStore.update((s) => void (s[keyOf(path, kind)] = problem));
  return problem;
}

/** Path parameters a node reads (shown, non-empty), with their kind. */
function readPaths(doc: WorkflowFile, schemas: ReadonlyMap<string, NodeSchema>) {
  const out: { nodeId: string; spec: ParamSpec; path: string; kind: PathKind }[] = [];
  for (const node of doc.nodes) {
    const schema = schemas.get(node.type);
    if (!schema || node.mode) continue; // a muted or bypassed node reads nothing
    const wired = convertedParamNames(node);
    for (const spec of schema.params) {
      if (wired.includes(spec.name)) continue; // its typed value is unused; the wired one is checked at run time
      const value = node.params[spec.name] ?? spec.default;
      if (spec.kind !== 'path' || spec.access !== 'read' || typeof value !== 'string' || value.trim() === '') continue;
      if (!isParamVisible(schema, spec, node.params)) continue;
      out.push({ nodeId: node.id, spec, path: value, kind: spec.pathKind ?? 'folder' });
    }
  }
  return out;
}

/** Checks every path the workflow reads; returns one sentence per problem, naming the node and the parameter. */
export async function checkWorkflowPaths(
  doc: WorkflowFile,
  schemas: ReadonlyMap<string, NodeSchema>,
): Promise<string[]> {
  const paths = readPaths(doc, schemas);
  const problems = await Promise.all(paths.map((p) => checkPath(p.path, p.kind)));
  return paths.flatMap((p, i) => (problems[i] ? [`${p.nodeId}.${p.spec.label ?? p.spec.name}: ${problems[i]}`] : []));
}
