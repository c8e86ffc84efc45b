/**
 * Test harness: a real `loraflow serve` process on an ephemeral loopback port with the test node types,
 * a WebSocket client that records every message, and small workflow builders.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { ServerMessage } from '../../protocol/messages';
import type { WorkflowFile, WorkflowNode } from '../../protocol/workflow';
import type { ParamValue } from '../../protocol/schema';

export const REPO = path.resolve(__dirname, '../..');
export const BIN = path.join(REPO, 'bin/loraflow.js');
export const TEST_NODES = path.join(__dirname, 'test-nodes.ts');

export function tempDir(prefix = 'loraflow-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>;
}

/** Spawns `loraflow serve --port 0` on `dataDir` and resolves once it prints its address. */
export function startServer(
  dataDir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dataDir, ...extraArgs], {
    env: { ...process.env, LORAFLOW_EXTRA_NODES: TEST_NODES, LORAFLOW_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /loraflow listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          proc,
          output: () => output,
          async stop() {
            proc.kill('SIGTERM');
            await exited;
          },
          async kill() {
            proc.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)} before listening:\n${output}`));
    });
  });
}

/** A WebSocket client that keeps every message and can wait for one matching a predicate. */
export class WsRecorder {
  readonly messages: ServerMessage[] = [];
  private waiters: { test: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.test(m) ? (w.resolve(m), false) : true));
    });
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<WsRecorder> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers });
    const recorder = new WsRecorder(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return recorder;
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor<T extends ServerMessage['type']>(
    type: T,
    test: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 20000,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    type M = Extract<ServerMessage, { type: T }>;
    const match = (m: ServerMessage): m is M => m.type === type && test(m as M);
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no ${type} within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(', ')}`)),
        timeoutMs,
      );
      this.waiters.push({ test: match, resolve: (m) => (clearTimeout(timer), resolve(m as M)) });
    });
  }

  /** The messages about one run, in order. */
  ofRun(runId: string): ServerMessage[] {
    return this.messages.filter((m) => ('runId' in m ? m.runId === runId : 'run' in m ? m.run.id === runId : false));
  }

  close(): void {
    this.ws.close();
  }
}

/** Builds a workflow from `id: type {params}` entries and `from.socket->to.socket` edges. */
export function workflow(
  name: string,
  nodes: [string, string, Record<string, ParamValue>?, string?][],
  edges: string[] = [],
): WorkflowFile {
  return {
    format: 'loraflow.workflow',
    formatVersion: 1,
    appVersion: '0.1.0',
    name,
    nodes: nodes.map(([id, type, params = {}, title], i): WorkflowNode => {
      const node: WorkflowNode = { id, type, params, position: { x: 200 * i, y: 0 } };
      if (title) node.title = title;
      return node;
    }),
    edges: edges.map((e, i) => {
      const [from = '', to = ''] = e.split('->');
      const [fromNode = '', fromSocket = ''] = from.split('.');
      const [toNode = '', toSocket = ''] = to.split('.');
      return { id: `e${i}`, from: { node: fromNode, socket: fromSocket }, to: { node: toNode, socket: toSocket } };
    }),
    groups: [],
    notes: [],
  };
}

/** POSTs JSON (or raw text) and returns status and parsed body. */
export async function post(
  url: string,
  body: unknown,
  init: { raw?: boolean; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.raw ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

/** DELETEs the way the editor does (the server refuses state-changing requests that are not JSON). */
export async function del(url: string): Promise<number> {
  return (await fetch(url, { method: 'DELETE', headers: { 'content-type': 'application/json' } })).status;
}

/**
 * A raw HTTP/1.1 request with headers fetch() would not let a test set (Host, Sec-Fetch-Site, a WebSocket
 * upgrade); resolves with the status and the body text.
 */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: opts.method ?? 'GET',
        headers: opts.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `loraflow` command as a user types it (bin/loraflow.js, no token) and collects what it prints;
 * `testNodes` registers the test node types (Const, Add, ...) as LORAFLOW_EXTRA_NODES.
 */
export function runLoraflow(args: string[], opts: { testNodes?: boolean } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LORAFLOW_TOKEN: '' };
    if (opts.testNodes) env.LORAFLOW_EXTRA_NODES = TEST_NODES;
    const proc = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // 'close', not 'exit': the process may exit before its pipes are drained, and the tail would be lost.
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A server that useServer() starts before the file's tests and stops after them; `data` is its data folder. */
export interface UsedServer extends ServerProcess {
  readonly data: string;
}

/**
 * Starts one server for the tests of the enclosing file (or describe block) and stops it after them: the
 * beforeAll/afterAll pair every server test file used to write out. The returned object reads through to the
 * started server, so tests use `server.url` as before; touching it before beforeAll has run throws, naming why.
 * `args` and `env` go to startServer as they are; `timeoutMs` is beforeAll's timeout (a cold start on a loaded
 * machine can take longer than jest's default).
 */
export function useServer(
  opts: { args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {},
): UsedServer {
  let started: ServerProcess | undefined;
  let data: string | undefined;
  const running = (): ServerProcess => {
    if (!started) throw new Error('useServer: the server is not started yet (use it inside a test or a hook)');
    return started;
  };
  beforeAll(async () => {
    data = tempDir();
    started = await startServer(data, opts.args, opts.env);
  }, opts.timeoutMs);
  // `?.`: a server that failed to start has nothing to stop, and beforeAll's error is the one to read.
  afterAll(() => started?.stop());
  return {
    get url() {
      return running().url;
    },
    get proc() {
      return running().proc;
    },
    get data() {
      running();
      return data!;
    },
    output: () => running().output(),
    stop: () => running().stop(),
    kill: () => running().kill(),
  };
}

/** The path of the shipped example workflows/<name>.json (what a user passes to `loraflow run`). */
export function examplePath(name: string): string {
  return path.join(REPO, 'workflows', `${name}.json`);
}

/** The shipped example workflows/<name>.json as parsed JSON, read once here instead of in every test file. */
export function readExample(name: string): WorkflowFile {
  return JSON.parse(fs.readFileSync(examplePath(name), 'utf8')) as WorkflowFile;
}
