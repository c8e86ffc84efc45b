/**
 * `npm run security:paths [-- --count N]`: tries the escape tricks (scripts/path-escape/sandbox.ts) on every
 * path-like parameter of every node schema the server lists, and on every route that takes a path or a name (file
 * listing, uploads, artifacts, workflows and their rename, downloads, template pictures, the cluster's state files
 * and uploads), against a real `loraflow serve` on loopback. Prints tried / refused /
 * escapes / files changed outside, and exits 1 when anything got through. `--count N` tries the first N tricks
 * per target (CI runs a small count: tests/server/path-escape-command.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { NodeSchema } from '../protocol/schema';
import type { RunDetail } from '../protocol/messages';
import {
  changedPaths,
  createSandbox,
  SECRET,
  snapshotOutside,
  tricks,
  type Sandbox,
  type Trick,
} from './path-escape/sandbox';
import { request, serve } from './path-escape/server';
import { applies, namesParam, pathTargets, TARGET_ID, trickValue, workflowFor } from './path-escape/targets';

const say = (s: string) => process.stdout.write(`${s}\n`);
/** Whether an answer shows the secret, whole or its first words (as a JSON parse error quotes a file's start). */
const leaks = (text: string) => text.includes(SECRET.slice(0, 10));

interface Tally {
  tried: number;
  refused: number;
  escapes: string[];
  changed: Set<string>;
  byGroup: Map<string, { tried: number; refused: number }>;
}

/** Runs one attempt: it counts as refused when `attempt` says so and nothing outside changed. */
async function check(box: Sandbox, tally: Tally, group: string, label: string, attempt: () => Promise<string | true>) {
  const before = snapshotOutside(box);
  let verdict: string | true;
  try {
    verdict = await attempt();
  } catch (e) {
    verdict = `the check itself failed: ${(e as Error).message}`;
  }
  const changed = changedPaths(before, snapshotOutside(box));
  for (const c of changed) tally.changed.add(c);
  const g = tally.byGroup.get(group) ?? { tried: 0, refused: 0 };
  tally.byGroup.set(group, g);
  tally.tried++;
  g.tried++;
  if (verdict === true && changed.length === 0) {
    tally.refused++;
    g.refused++;
  } else tally.escapes.push(`${label}: ${verdict === true ? `changed ${changed.join(', ')}` : verdict}`);
}

async function waitForRun(url: string, id: string): Promise<RunDetail> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = (await request(`${url}/api/runs/${id}`, 'GET')).json as RunDetail;
    if (!['queued', 'running'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} after 30 s`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** Submits a workflow and says whether the target node was refused, naming `param`, before it ran. */
async function runRefused(url: string, workflow: unknown, param: string): Promise<string | true> {
  const submitted = await request(`${url}/api/runs`, 'POST', { workflow });
  if (leaks(submitted.text)) return 'the answer contains the secret';
  if (submitted.status === 400) return submitted.text.includes(param) ? true : `400 not naming ${param}`;
  if (submitted.status !== 201) return `POST /api/runs answered ${submitted.status}`;
  const run = await waitForRun(url, (submitted.json as { id: string }).id);
  const state = run.nodes[TARGET_ID];
  if (leaks(JSON.stringify(run))) return 'the run shows the secret';
  if (state?.startedAt !== undefined) return `the node ran (${state.status})`;
  return namesParam(state?.error, param)
    ? true
    : `not refused: ${state?.status ?? 'no state'} ${state?.error?.message ?? ''}`;
}

/** Every path-like parameter of every node schema, with each trick that applies to it. */
async function nodeParameters(url: string, box: Sandbox, tally: Tally, chosen: Trick[]) {
  const schemas = (await request(`${url}/api/nodes`, 'GET')).json as NodeSchema[];
  for (const target of pathTargets(schemas))
    for (const trick of chosen.filter((t) => applies(target, t)))
      await check(box, tally, 'node parameters', `${target.type}.${target.param.name} ${trick.id}`, () =>
        runRefused(url, workflowFor(schemas, target, trickValue(target.param, trick), box.data), target.param.name),
      );
}

const refusedStatus = (status: number) => status >= 400 && status < 500;

/** The REST routes that take a path or a name. */
async function routes(url: string, box: Sandbox, tally: Tally, chosen: Trick[]) {
  const uploads = path.join(box.data, 'uploads');
  for (const trick of chosen) {
    const q = encodeURIComponent(trick.value);
    await check(box, tally, 'routes', `GET /api/files ${trick.id}`, async () => {
      const r = await request(`${url}/api/files?path=${q}`, 'GET');
      return refusedStatus(r.status) && !leaks(r.text) ? true : `answered ${r.status}`;
    });
    await check(box, tally, 'routes', `POST /api/uploads ${trick.id}`, async () => {
      const r = await request(`${url}/api/uploads?name=${q}`, 'POST', new Uint8Array([1, 2, 3]), {
        'x-loraflow-upload': '1',
      });
      if (refusedStatus(r.status)) return true;
      const written = (r.json as { path?: string } | undefined)?.path ?? '';
      return path.dirname(written) === uploads ? true : `wrote ${written}`;
    });
    await check(box, tally, 'routes', `GET /api/artifacts ${trick.id}`, async () => {
      const r = await request(`${url}/api/artifacts/${q}`, 'GET');
      return refusedStatus(r.status) && !leaks(r.text) ? true : `answered ${r.status}`;
    });
    for (const method of ['GET', 'PUT', 'DELETE'])
      await check(box, tally, 'routes', `${method} /api/workflows ${trick.id}`, async () => {
        const r = await request(`${url}/api/workflows/${q}`, method, method === 'PUT' ? { nodes: [] } : undefined);
        return refusedStatus(r.status) && !leaks(r.text) ? true : `answered ${r.status}`;
      });
    await check(box, tally, 'routes', `GET /api/download ${trick.id}`, async () => {
      const r = await request(`${url}/api/download?path=${q}`, 'GET');
      return refusedStatus(r.status) && !leaks(r.text) ? true : `answered ${r.status}`;
    });
    await check(box, tally, 'routes', `GET /api/templates/:name/picture ${trick.id}`, async () => {
      const r = await request(`${url}/api/templates/${q}/picture`, 'GET');
      return refusedStatus(r.status) && !leaks(r.text) ? true : `answered ${r.status}`;
    });
    await check(box, tally, 'routes', `POST /api/workflows/:name/rename ${trick.id}`, async () => {
      const r = await request(`${url}/api/workflows/${q}/rename`, 'POST', { to: 'renamed', title: 'Renamed' });
      return refusedStatus(r.status) && !leaks(r.text) ? true : `answered ${r.status}`;
    });
    await check(box, tally, 'routes', `POST /api/workflows/:name/rename to ${trick.id}`, async () => {
      await request(`${url}/api/workflows/rename-source`, 'PUT', { nodes: [] });
      const r = await request(`${url}/api/workflows/rename-source/rename`, 'POST', { to: trick.value, title: 'T' });
      return refusedStatus(r.status) && !leaks(r.text) ? true : `answered ${r.status}`;
    });
    // The cluster's state folders live in the server's own work folder, not the data folder: the tricks that are
    // plain names of links and FIFOs in the data folder (wholePath) name nothing there.
    if (trick.wholePath) continue;
    for (const at of [`${q}/k`, `TrainLoRA/${q}`, `TrainLoRA/k/${q}`])
      await check(box, tally, 'routes', `GET /api/cluster/state/${at.replace(q, ':trick')} ${trick.id}`, async () => {
        const r = await request(`${url}/api/cluster/state/${at}`, 'GET');
        return refusedStatus(r.status) && !leaks(r.text) ? true : `answered ${r.status}`;
      });
    await check(box, tally, 'routes', `POST /api/cluster/blobs (a state file named by) ${trick.id}`, async () => {
      const target = { kind: 'state', type: 'TrainLoRA', key: 'k', name: trick.value };
      const chunk = { target, upload: 'sweep0001', offset: 0, data: 'AAAA', done: true };
      const r = await request(`${url}/api/cluster/blobs`, 'POST', chunk);
      return refusedStatus(r.status) ? true : `answered ${r.status}`;
    });
  }
  await check(box, tally, 'routes', 'POST /api/workflows/leak/rename with a title (a link outside)', async () => {
    const r = await request(`${url}/api/workflows/leak/rename`, 'POST', { to: 'leak-renamed', title: 'Renamed' });
    const copy = await request(`${url}/api/workflows/leak-renamed`, 'GET');
    if (leaks(r.text) || leaks(copy.text)) return 'shows the secret';
    return refusedStatus(r.status) ? true : `answered ${r.status}`;
  });
  await check(box, tally, 'routes', 'GET /api/files lists no link outside', async () => {
    const r = await request(`${url}/api/files`, 'GET');
    const names = ((r.json as { entries?: { name: string }[] }).entries ?? []).map((e) => e.name);
    const shown = names.filter((n) => n.startsWith('link-') || n === 'leak.txt');
    return shown.length === 0 ? true : `lists ${shown.join(', ')}`;
  });
  await check(box, tally, 'routes', 'GET /api/workflows/leak (a link outside)', async () => {
    const one = await request(`${url}/api/workflows/leak`, 'GET');
    const all = await request(`${url}/api/workflows`, 'GET');
    if (leaks(one.text) || leaks(all.text)) return 'shows the secret';
    return refusedStatus(one.status) ? true : `answered ${one.status}`;
  });
}

/** An uploaded image whose caption is steered outside by the extension, or is itself a link outside. */
async function uploadCaptions(url: string, box: Sandbox, tally: Tally, chosen: Trick[]) {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
    .png()
    .toBuffer();
  const up = await request(`${url}/api/uploads?name=up.png`, 'POST', new Uint8Array(png), { 'x-loraflow-upload': '1' });
  const file = (up.json as { path: string }).path;
  const schemas = (await request(`${url}/api/nodes`, 'GET')).json as NodeSchema[];
  const load = (params: Record<string, string | string[]>) => {
    const wf = workflowFor(
      schemas,
      { type: 'LoadImages', param: schemas.find((s) => s.type === 'LoadImages')!.params[0]! },
      '',
    );
    wf.nodes[0]!.params = params;
    return wf;
  };
  // The extension trick aimed exactly at the secret from the uploads folder (up.x/.. → uploads, then two levels up).
  const aimed: Trick = { id: 'aimed-at-secret', value: '.x/../../../outside/secret.txt', wholePath: false };
  for (const trick of [aimed, ...chosen.filter((t) => !t.wholePath)])
    await check(box, tally, 'upload captions', `LoadImages upload + captionExtension ${trick.id}`, () =>
      runRefused(url, load({ uploads: [file], captionExtension: trick.value }), 'captionExtension'),
    );
  fs.symlinkSync(path.join(box.outside, 'secret.txt'), file.replace(/\.png$/, '.txt'));
  await check(box, tally, 'upload captions', 'LoadImages upload whose .txt links outside', async () => {
    const r = await request(`${url}/api/runs`, 'POST', { workflow: load({ uploads: [file] }) });
    const run = await waitForRun(url, (r.json as { id: string }).id);
    return leaks(JSON.stringify(run)) ? 'the caption is the secret' : true;
  });
}

async function main() {
  const at = process.argv.indexOf('--count');
  const count = at > 0 ? Number(process.argv[at + 1]) : Infinity;
  const box = createSandbox();
  fs.symlinkSync(path.join(box.outside, 'secret.txt'), path.join(box.data, 'leak.txt'));
  fs.mkdirSync(path.join(box.data, 'workflows'));
  fs.symlinkSync(path.join(box.outside, 'secret.txt'), path.join(box.data, 'workflows', 'leak.json'));
  const chosen = tricks(box).slice(0, count);
  const tally: Tally = { tried: 0, refused: 0, escapes: [], changed: new Set(), byGroup: new Map() };
  const server = await serve(box.data);
  try {
    await nodeParameters(server.url, box, tally, chosen);
    await routes(server.url, box, tally, chosen);
    await uploadCaptions(server.url, box, tally, chosen);
  } finally {
    await server.stop();
    box.dispose();
  }
  for (const [group, g] of tally.byGroup) say(`  ${group}: ${g.tried} tried, ${g.refused} refused`);
  for (const e of tally.escapes) say(`  ESCAPE ${e}`);
  for (const c of tally.changed) say(`  CHANGED OUTSIDE ${c}`);
  say(
    `path escapes: tried ${tally.tried}, refused ${tally.refused}, escapes ${tally.escapes.length}, files changed outside ${tally.changed.size}`,
  );
  process.exitCode = tally.escapes.length > 0 || tally.changed.size > 0 ? 1 : 0;
}

void main();
