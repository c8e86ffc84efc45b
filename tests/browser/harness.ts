/** Browser-test plumbing: build the editor when stale, start a real server, launch Debian's Chromium, keep failure screenshots. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';

export const REPO = path.resolve(__dirname, '../..');
const DIST_INDEX = path.join(REPO, 'client/dist/index.html');
export const ARTIFACTS = path.join(REPO, 'test-artifacts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds client/dist (a production build even under jest, which sets NODE_ENV=test) unless it is newer than every source of the editor and the protocol. */
export function buildClientIfStale(): void {
  const built = fs.existsSync(DIST_INDEX) ? fs.statSync(DIST_INDEX).mtimeMs : 0;
  const sources = Math.max(
    newestMtime(path.join(REPO, 'client/src')),
    newestMtime(path.join(REPO, 'protocol')),
    fs.statSync(path.join(REPO, 'client/index.html')).mtimeMs,
  );
  if (built > sources) return;
  const r = spawnSync(
    process.execPath,
    [
      path.join(REPO, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'client/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: REPO, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface RunningServer {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts `loraflow serve` on a fresh data folder with the browser-test nodes registered, on a free port (or on
 * `port`, to bring a stopped server back where the page expects it).
 */
export async function startServer(
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-browser-')),
  port = 0,
  /** More `serve` arguments (`--redis URL`) and environment (another LORAFLOW_EXTRA_NODES). */
  extra: { args?: string[]; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(REPO, 'bin/loraflow.js'), 'serve', '--port', String(port), '--data', dataDir, ...(extra.args ?? [])],
    {
      cwd: REPO,
      env: {
        ...process.env,
        LORAFLOW_EXTRA_NODES: path.join(__dirname, 'test-nodes.ts'),
        LORAFLOW_CPU_SLOTS: '2',
        ...extra.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(log);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  // A server that dies mid-test explains itself in the test log.
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping)
      process.stderr.write(
        `loraflow server exited (${code ?? signal}) during the browser tests:\n${log.slice(-4000)}\n`,
      );
  });
  return {
    url,
    dataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Launches headless Debian Chromium with a fresh profile. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install -y chromium`);
  // Playwright gives every launch() a fresh temporary profile (it refuses a --user-data-dir argument).
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page in a fresh browser context (no tabs or storage left by another test), 1400x900, 20 s timeouts. */
export async function newEditorPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.setDefaultTimeout(20000);
  return page;
}

/** Runs a browser step; on failure saves a screenshot under test-artifacts/ and prints its path. */
export async function withScreenshot<T>(page: Page, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name.replace(/[^a-z0-9-]+/gi, '_')}-${Date.now()}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    process.stderr.write(`browser test failure screenshot: ${file}\n`);
    throw e;
  }
}

/** Opens the editor, then the library workflow `name` from the Library tab, and waits for its node `nodeId`. */
export async function openFromLibrary(page: Page, server: RunningServer, name: string, nodeId: string): Promise<void> {
  await page.goto(server.url);
  await page.click('[data-testid=side-library]');
  await page.click(`[data-testid=library-${name}]`);
  await page.waitForSelector(`[data-testid=node-${nodeId}]`);
}

/** Saves `wf` in the server's library under `name` (PUT /api/workflows/:name, as the editor's Save does). */
export async function putWorkflow(server: RunningServer, name: string, wf: WorkflowFile): Promise<void> {
  const res = await fetch(`${server.url}/api/workflows/${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(wf),
  });
  if (!res.ok) throw new Error(`PUT /api/workflows/${name}: ${res.status} ${await res.text()}`);
}

/**
 * A real server and Chromium for the tests of one file: started before them, stopped after. Read them from the
 * returned object inside tests and hooks (they exist once beforeAll has run).
 */
export function useServerAndBrowser(): { readonly server: RunningServer; readonly browser: Browser } {
  const env = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    buildClientIfStale();
    env.server = await startServer();
    env.browser = await launchBrowser();
  }, 120000);
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

export interface EditorSession {
  server: RunningServer;
  browser: Browser;
  /** Closes the browser and stops the server. */
  close(): Promise<void>;
}

/** An editor test's set-up: the editor built when stale, a real server, Chromium, and `workflows` in its library. */
export async function startEditorSession(workflows: Record<string, WorkflowFile>): Promise<EditorSession> {
  buildClientIfStale();
  const server = await startServer();
  const browser = await launchBrowser();
  for (const [name, wf] of Object.entries(workflows)) await putWorkflow(server, name, wf);
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}
