/**
 * `npm run fuzz [-- --count 2000 --seed 1 --seconds 120 --validate-every 40]`: mutates the example workflows
 * (workflows/*.json) with a seeded generator, sends each to a real `loraflow serve` on a loopback port
 * (POST /api/runs and PUT /api/workflows) and some to `loraflow validate`, and prints how it answered: requests,
 * 4xx that name a node, parameter or place in the file, 5xx, the slowest answer, answers over a second, hangs and
 * crashes. Exits 1 on any 5xx, hang or crash. Bounded in count and in time; the same seed sends the same bodies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const REPO = path.resolve(__dirname, '..');
const BIN = path.join(REPO, 'bin/loraflow.js');
const HANG_MS = 10_000;

export interface FuzzOptions {
  count: number;
  seed: number;
  seconds: number;
  /** Every n-th mutation also goes to `loraflow validate` (a process each: slow). 0: never. */
  validateEvery: number;
}

export interface FuzzReport {
  requests: number;
  answered4xxNaming: number;
  answered4xxVague: string[];
  answered2xx: number;
  errors5xx: string[];
  over1s: number;
  slowest: { ms: number; what: string };
  hangs: string[];
  crashes: string[];
  validateRuns: number;
  validateProblems: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Rng = () => number;

/** mulberry32: small, seeded, good enough to pick mutations. */
function rngFrom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

const HOSTILE_VALUES: Json[] = [
  -1,
  0,
  0.5,
  1e308,
  -1e308,
  null,
  '',
  ' ',
  'x'.repeat(300),
  'a\u0000b',
  '../../../../etc/passwd',
  '/etc/hostname',
  '.x/../../../etc/hostname',
  '{name}/../..',
  '__proto__',
  [],
  [1, 2],
  ['a', ''],
  {},
  { __proto__: 1 },
  true,
  'NaN',
  '<lora:../../x:1>',
];
const HOSTILE_IDS = ['toString', 'constructor', '__proto__', 'hasOwnProperty', '', 'x'.repeat(300), 'a\u0000b', 'a b'];
const VERSIONS: Json[] = [-1, 0.5, '1', 2, null, 1e9, 0, [], {}];

/** A marker replaced by `depth` nested arrays in the request text (JSON.stringify itself overflows on them). */
const deep = (depth: number): Json => `@@deep:${depth}@@`;
const expandDeep = (text: string): string =>
  text.replace(/"@@deep:(\d+)@@"/g, (_m, n: string) => '['.repeat(Number(n)) + '1' + ']'.repeat(Number(n)));

type Mutation = (wf: Record<string, Json>, rng: Rng) => string;

const nodesOf = (wf: Record<string, Json>): Record<string, Json>[] =>
  Array.isArray(wf.nodes) ? (wf.nodes.filter((n) => n && typeof n === 'object' && !Array.isArray(n)) as never) : [];
const edgesOf = (wf: Record<string, Json>): Record<string, Json>[] =>
  Array.isArray(wf.edges) ? (wf.edges.filter((n) => n && typeof n === 'object' && !Array.isArray(n)) as never) : [];

const MUTATIONS: Mutation[] = [
  (wf, rng) => {
    const node = pick(rng, nodesOf(wf));
    if (!node || !node.params || typeof node.params !== 'object' || Array.isArray(node.params)) return 'noop';
    const names = Object.keys(node.params);
    const name = names.length > 0 && rng() < 0.8 ? pick(rng, names) : pick(rng, ['unknown', '__proto__', 'steps']);
    const value = pick(rng, HOSTILE_VALUES);
    node.params[name] = value;
    return `param ${String(node.id)}.${name} = ${JSON.stringify(value)?.slice(0, 40)}`;
  },
  (wf, rng) => {
    const node = pick(rng, nodesOf(wf));
    if (!node) return 'noop';
    const id = pick(rng, HOSTILE_IDS);
    const old = node.id;
    node.id = id;
    for (const e of edgesOf(wf))
      for (const end of [e.from, e.to])
        if (end && typeof end === 'object' && !Array.isArray(end) && end.node === old && rng() < 0.5) end.node = id;
    return `node id ${String(old)} -> ${JSON.stringify(id).slice(0, 20)}`;
  },
  (wf, rng) => {
    const nodes = Array.isArray(wf.nodes) ? wf.nodes : [];
    if (nodes.length === 0) return 'noop';
    const i = Math.floor(rng() * nodes.length);
    if (rng() < 0.5) nodes.splice(i, 1);
    else nodes.push(JSON.parse(JSON.stringify(nodes[i])) as Json);
    return 'node removed or duplicated';
  },
  (wf, rng) => {
    const edge = pick(rng, edgesOf(wf));
    if (!edge) return 'noop';
    const end = pick(rng, [edge.from, edge.to]);
    if (!end || typeof end !== 'object' || Array.isArray(end)) return 'noop';
    const field = pick(rng, ['node', 'socket']);
    end[field] = pick(rng, [...HOSTILE_IDS, 'dataset', 'model', 'lora', 42]);
    return `edge ${String(edge.id)} ${field} rewired`;
  },
  (wf, rng) => {
    const edges = Array.isArray(wf.edges) ? wf.edges : [];
    const objects = edgesOf(wf); // "edges replaced" may have left [null] or [1]
    const copies = Math.floor(rng() * 4);
    for (let i = 0; i < copies && objects.length > 0; i++) {
      const copy = JSON.parse(JSON.stringify(pick(rng, objects))) as Record<string, Json>;
      if (rng() < 0.5) delete copy.id;
      edges.push(copy);
    }
    return `edges duplicated (${copies})`;
  },
  (wf, rng) => {
    wf.formatVersion = pick(rng, VERSIONS);
    return `formatVersion ${JSON.stringify(wf.formatVersion)}`;
  },
  (wf, rng) => {
    const depth = pick(rng, [10, 63, 70, 500, 5000]);
    const target = rng() < 0.5 ? wf : (pick(rng, nodesOf(wf)) ?? wf);
    target.extra = deep(depth);
    return `nesting ${depth} deep`;
  },
  (wf, rng) => {
    const key = pick(rng, ['nodes', 'edges', 'format', 'groups', 'notes', 'name']);
    wf[key] = pick(rng, [null, 3, 'x', {}, [], [null], [1]]);
    return `${key} replaced`;
  },
  (wf, rng) => {
    const node = pick(rng, nodesOf(wf));
    if (!node) return 'noop';
    const field = pick(rng, ['type', 'params', 'position', 'id']);
    if (rng() < 0.5) delete node[field];
    else node[field] = pick(rng, HOSTILE_VALUES);
    return `node ${String(node.id)}.${field} broken`;
  },
  (wf, rng) => {
    const node = pick(rng, nodesOf(wf));
    if (!node) return 'noop';
    node.type = pick(rng, ['TrainLoRA', 'Sample', 'LoadImages', 'NoSuchNode', '__proto__', 'constructor']);
    return `node ${String(node.id)} type ${String(node.type)}`;
  },
];

function mutate(example: Json, rng: Rng): { body: Record<string, Json>; what: string } {
  const wf = JSON.parse(JSON.stringify(example)) as Record<string, Json>;
  const n = 1 + Math.floor(rng() * 3);
  const what: string[] = [];
  for (let i = 0; i < n; i++) what.push(pick(rng, MUTATIONS)(wf, rng));
  return { body: wf, what: what.join('; ') };
}

/** Whether a 4xx says where the problem is: a node, a parameter, a place in the file, or a limit. */
function namesTheProblem(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const b = body as { byNode?: Record<string, unknown>; errors?: unknown[]; message?: string };
  if (b.errors && b.errors.length > 0) return true;
  return /nodes|edges|groups|notes|formatVersion|format|targets|limit|params|nested|workflow|\.id|name/.test(
    b.message ?? '',
  );
}

interface Server {
  url: string;
  proc: ChildProcess;
  dataDir: string;
  exited: () => boolean;
}

async function startServer(): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-fuzz-'));
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dataDir], {
    env: { ...process.env, LORAFLOW_TOKEN: '', LORAFLOW_CPU_SLOTS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  proc.once('exit', () => (exited = true));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
  });
  return { url, proc, dataDir, exited: () => exited };
}

async function send(
  url: string,
  method: string,
  body: string,
): Promise<{ status: number; ms: number; json: unknown } | 'hang' | { dropped: string }> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, ms: performance.now() - started, json };
  } catch (e) {
    if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'hang';
    // The connection closed without an answer: a crash, or a refusal the server did not explain.
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
    return { dropped: cause };
  }
}

/**
 * Runs `loraflow validate` on a file; a problem when it crashes, hangs or prints a stack trace. Asynchronous: a
 * blocked fuzzer would not notice the server closing idle keep-alive sockets, and would then report the next
 * request on such a socket as dropped.
 */
async function validateWithCli(file: string): Promise<string | undefined> {
  const child = spawn(process.execPath, [BIN, 'validate', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), HANG_MS * 3);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  if (signal) return `validate did not finish (${signal})`;
  if (code !== 0 && code !== 1) return `validate exited ${String(code)}: ${text.slice(0, 200)}`;
  if (/\n\s+at /.test(text)) return `validate printed a stack trace: ${text.slice(0, 200)}`;
  return undefined;
}

/** Runs the fuzzer against a fresh server and returns what it saw. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const examples = fs
    .readdirSync(path.join(REPO, 'workflows'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(REPO, 'workflows', f), 'utf8')) as Json);
  const rng = rngFrom(opts.seed);
  const report: FuzzReport = {
    requests: 0,
    answered4xxNaming: 0,
    answered4xxVague: [],
    answered2xx: 0,
    errors5xx: [],
    over1s: 0,
    slowest: { ms: 0, what: '' },
    hangs: [],
    crashes: [],
    validateRuns: 0,
    validateProblems: [],
  };
  const server = await startServer();
  const deadline = Date.now() + opts.seconds * 1000;
  const scratch = path.join(server.dataDir, 'fuzz-case.json');
  try {
    for (let i = 0; i < opts.count && Date.now() < deadline; i++) {
      const { body, what } = mutate(pick(rng, examples), rng);
      const text = expandDeep(JSON.stringify(body));
      const route = i % 4 === 3 ? 'PUT /api/workflows' : 'POST /api/runs';
      const answer =
        route === 'POST /api/runs'
          ? await send(`${server.url}/api/runs`, 'POST', `{"workflow":${text}}`)
          : await send(`${server.url}/api/workflows/fuzz-${i % 7}`, 'PUT', text);
      report.requests++;
      const label = `#${i} ${route}: ${what}`;
      if (answer === 'hang') {
        report.hangs.push(label);
        if (server.exited()) report.crashes.push(`server exited after ${label}`);
        if (server.exited()) break;
        continue;
      }
      if ('dropped' in answer) {
        report.crashes.push(`${label}: connection closed without an answer (${answer.dropped})`);
        if (server.exited()) break;
        continue;
      }
      if (answer.ms > report.slowest.ms) report.slowest = { ms: answer.ms, what: label };
      if (answer.ms > 1000) report.over1s++;
      if (answer.status >= 500) report.errors5xx.push(`${label} -> ${answer.status} ${JSON.stringify(answer.json)}`);
      else if (answer.status >= 400) {
        if (namesTheProblem(answer.json)) report.answered4xxNaming++;
        else report.answered4xxVague.push(`${label} -> ${answer.status} ${JSON.stringify(answer.json)}`);
      } else {
        report.answered2xx++;
        const id = (answer.json as { id?: string } | undefined)?.id;
        if (id) await send(`${server.url}/api/runs/${id}/cancel`, 'POST', '{}');
      }
      if (opts.validateEvery > 0 && i % opts.validateEvery === 0) {
        fs.writeFileSync(scratch, text);
        report.validateRuns++;
        const problem = await validateWithCli(scratch);
        if (problem) report.validateProblems.push(`${label}: ${problem}`);
      }
      if (server.exited()) {
        report.crashes.push(`server exited after ${label}`);
        break;
      }
    }
  } finally {
    server.proc.kill('SIGTERM');
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
  return report;
}

/** The report as the lines `npm run fuzz` prints. */
export function formatReport(r: FuzzReport, opts: FuzzOptions): string {
  const list = (items: string[]) => items.slice(0, 10).map((s) => `    ${s.slice(0, 300)}`);
  return [
    `fuzz: seed ${opts.seed}, ${r.requests} requests (of ${opts.count} asked, ${opts.seconds} s at most)`,
    `  4xx naming a node, parameter or place: ${r.answered4xxNaming}`,
    `  4xx not saying where: ${r.answered4xxVague.length}`,
    ...list(r.answered4xxVague),
    `  2xx (accepted): ${r.answered2xx}`,
    `  5xx: ${r.errors5xx.length}`,
    ...list(r.errors5xx),
    `  slowest answer: ${r.slowest.ms.toFixed(0)} ms (${r.slowest.what.slice(0, 160)})`,
    `  answers over 1 s: ${r.over1s}`,
    `  hangs (no answer in ${HANG_MS / 1000} s): ${r.hangs.length}`,
    ...list(r.hangs),
    `  crashes: ${r.crashes.length}`,
    ...list(r.crashes),
    `  loraflow validate: ${r.validateRuns} runs, ${r.validateProblems.length} crashes or stack traces`,
    ...list(r.validateProblems),
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      seconds: { type: 'string', default: '150' },
      'validate-every': { type: 'string', default: '100' },
    },
  });
  const opts: FuzzOptions = {
    count: Number(values.count),
    seed: Number(values.seed),
    seconds: Number(values.seconds),
    validateEvery: Number(values['validate-every']),
  };
  const report = await runFuzz(opts);
  process.stdout.write(`${formatReport(report, opts)}\n`);
  const bad = report.errors5xx.length + report.hangs.length + report.crashes.length + report.validateProblems.length;
  return bad > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(2);
    },
  );
}
