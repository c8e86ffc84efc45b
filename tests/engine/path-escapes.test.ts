/**
 * Every path-like parameter of every registered node type, attacked with every escape trick through the real
 * engine: each must be refused before the node runs, with an error naming the parameter, and nothing outside the
 * data folder may change. A new node type with a path parameter is covered as soon as its schema marks it.
 *
 *   source ──▶ target{param = trick}      (the source feeds required inputs; the target never runs)
 */
import { builtinNodes } from '../../nodes';
import { pathLikeParams } from '../../protocol/schema';
import { tricks } from '../../scripts/path-escape/sandbox';
import { applies, pathTargets, trickValue, workflowFor } from '../../scripts/path-escape/targets';
import { attemptEscape, useEscapeEngine } from './escape-engine';

const schemas = builtinNodes.map((d) => d.schema);
const engine = useEscapeEngine();

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
    for (const trick of tricks(engine.box).filter((t) => applies(target, t))) {
      const runId = `escape-${target.type}-${target.param.name}-${trick.id}`;
      const workflow = workflowFor(schemas, target, trickValue(target.param, trick));
      results.push(await attemptEscape(engine, target, trick.id, runId, workflow));
    }
    expect(results.filter((r) => !r.endsWith(': refused'))).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(8);
  });
});
