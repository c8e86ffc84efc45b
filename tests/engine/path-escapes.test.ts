/**
 * Every path-like parameter of every registered node type, attacked with every escape trick through the real
 * engine: each must be refused before the node runs, with an error naming the parameter, and nothing outside the
 * data folder may change. A new node type with a path parameter is covered as soon as its schema marks it.
 *
 *   source ──▶ target{param = trick}      (the source feeds required inputs; the target never runs)
 */
import { join } from 'node:path';
import { builtinNodes } from '../../nodes';
import { pathLikeParams } from '../../protocol/schema';
import {
  createArtifactStore,
  createMemoryCache,
  createPathPolicy,
  createRegistry,
  executeWorkflow,
} from '../../server/engine';
import type { EngineEnv, ExecutorEvent } from '../../server/engine/types';
import { changedPaths, createSandbox, snapshotOutside, tricks, type Sandbox } from '../../scripts/path-escape/sandbox';
import {
  applies,
  namesParam,
  pathTargets,
  TARGET_ID,
  trickValue,
  workflowFor,
} from '../../scripts/path-escape/targets';

const schemas = builtinNodes.map((d) => d.schema);
let box: Sandbox;
let env: EngineEnv;
beforeAll(() => {
  box = createSandbox();
  env = {
    registry: createRegistry(builtinNodes),
    cache: createMemoryCache(),
    artifacts: createArtifactStore(join(box.data, 'artifacts')),
    paths: createPathPolicy([box.data]),
    workRoot: join(box.data, 'work'),
    cpuSlots: 2,
    gpuDevices: [],
  };
});
afterAll(() => box.dispose());

const targets = pathTargets(schemas);

test('the path-like parameters are marked: every one the issue found is among them', () => {
  const names = targets.map((t) => `${t.type}.${t.param.name}`);
  for (const expected of [
    'LoadImages.folder',
    'LoadImages.uploads',
    'LoadImages.captionExtension',
    'Caption.tagger',
    'SaveDataset.folder',
    'SaveDataset.name',
    'TrainLoRA.outputName',
    'SaveCheckpoint.folder',
    'SaveCheckpoint.name',
    'LoadLoRA.file',
    'LoadModel.file',
    'SaveModel.file',
    'Sample.prompts',
    'ListFiles.folder',
  ])
    expect(names).toContain(expected);
});

/** `folder`, `captionExtension`, `outputName`… (camelCase words, so that `text` is not an "ext"). */
const PATH_SOUNDING =
  /^(folder|file|dir|path|name|ext|extension|tagger|upload)s?$|[a-z](Folder|File|Dir|Path|Name|Ext|Extension|Tagger|Upload)s?$/;

/** Parameters whose names sound like paths but are not part of one, with the reason. */
const NOT_PATHS: Record<string, string> = {
  'ListFiles.extensions': 'a filter compared with file names, never joined into a path',
};

test('no parameter that sounds like a path is left unmarked', () => {
  const suspicious = schemas.flatMap((s) =>
    s.params
      .filter((p) => ['string', 'text', 'list', 'path'].includes(p.kind))
      .filter((p) => PATH_SOUNDING.test(p.name))
      .filter((p) => !pathLikeParams(s).includes(p))
      .map((p) => `${s.type}.${p.name}`),
  );
  expect(suspicious.filter((name) => !(name in NOT_PATHS))).toEqual([]);
});

describe.each(targets.map((t) => [`${t.type}.${t.param.name}`, t] as const))('%s', (_label, target) => {
  test('refuses every escape trick before the node runs, naming the parameter; nothing outside changes', async () => {
    const results: string[] = [];
    for (const trick of tricks(box).filter((t) => applies(target, t))) {
      const before = snapshotOutside(box);
      const events: ExecutorEvent[] = [];
      await executeWorkflow(env, {
        runId: `escape-${target.type}-${target.param.name}-${trick.id}`,
        workflow: workflowFor(schemas, target, trickValue(target.param, trick)),
        signal: new AbortController().signal,
        onEvent: (e) => events.push(e),
      });
      const failed = events.find((e) => e.type === 'node.failed' && e.nodeId === TARGET_ID);
      const ran = events.some((e) => e.type === 'node.started' && e.nodeId === TARGET_ID);
      const error = failed?.type === 'node.failed' ? failed.error : undefined;
      const changed = changedPaths(before, snapshotOutside(box));
      const ok = namesParam(error, target.param.name) && !ran && changed.length === 0;
      results.push(
        `${trick.id}: ${ok ? 'refused' : `NOT REFUSED (${error?.message ?? 'no error'}; changed ${changed})`}`,
      );
    }
    expect(results.filter((r) => !r.endsWith(': refused'))).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(8);
  });
});
