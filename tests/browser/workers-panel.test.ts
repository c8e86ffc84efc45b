/**
 * The Runs panel's list of workers, in Chromium against a real `serve --redis` with two real `loraflow worker`
 * processes (a cuda and a cpu one): each worker with its device, the node it runs while it runs it, and a heartbeat
 * that stays fresh; a worker that stops leaves the list.
 *
 *   job: TestDeviceEcho (a device node that sleeps on a worker)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { WorkersResponse } from '../../protocol/api';
import { startRedis, startWorkerProcess, type RedisProcess, type WorkerProcess } from '../cluster/harness';
import { workflow } from '../server/harness';
import { buildClientIfStale, launchBrowser, startServer, withScreenshot, type RunningServer } from './harness';

jest.setTimeout(120_000);

const NODES = path.join(__dirname, '../cluster/device-nodes.ts');

let redis: RedisProcess;
let server: RunningServer;
let browser: Browser;
let page: Page;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  buildClientIfStale();
  redis = await startRedis();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-browser-workers-'));
  server = await startServer(dataDir, 0, { args: ['--redis', redis.url], env: { LORAFLOW_EXTRA_NODES: NODES } });
  for (const device of ['cuda:0', 'cpu'])
    workers.push(
      await startWorkerProcess(server.url, redis.url, path.join(dataDir, device.replace(':', '-')), ['--gpu', device], {
        LORAFLOW_EXTRA_NODES: NODES,
      }),
    );
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(workers.map((w) => w.kill()));
  await server?.stop();
  await redis?.kill();
  fs.rmSync(redis.dir, { recursive: true, force: true });
});

/** Each listed worker's row text, by device. */
const rows = (): Promise<Record<string, string>> =>
  page.$$eval('[data-testid=workers-panel] .worker-row', (els) =>
    Object.fromEntries(els.map((e) => [e.querySelector('small')?.textContent ?? '', e.textContent ?? ''])),
  );

test('the Runs panel lists each worker with its device, the node it runs and a fresh heartbeat', async () => {
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(30_000);
  await withScreenshot(page, 'workers-panel', async () => {
    await page.goto(server.url);
    await page.click('[data-testid=side-runs]');
    await page.waitForSelector('[data-testid=workers-panel] h3:has-text("Workers (2)")');
    expect(Object.keys(await rows()).sort()).toEqual(['cpu', 'cuda:0']);
    for (const text of Object.values(await rows())) expect(text).toMatch(/^idle.*heartbeat [0-9] s ago$/);

    // A device job goes to the idle cuda worker first: its row says what it runs while it runs it.
    const res = await fetch(`${server.url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workflow: workflow('echo', [['job', 'TestDeviceEcho', { ms: 5000, seed: 1 }]]) }),
    });
    expect(res.status).toBe(201);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=workers-panel] .worker-row')].some((e) =>
        /^busy.*cuda:0TestDeviceEcho "job" · heartbeat/.test(e.textContent ?? ''),
      ),
    );
    expect((await rows()).cpu).toMatch(/^idle/);
    // Done: idle again, and the heartbeat is still a few seconds old (the worker keeps reporting).
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=workers-panel] .worker-row')].filter((e) =>
          e.textContent?.startsWith('idle'),
        ).length === 2,
      undefined,
      { timeout: 30_000 },
    );
    expect((await rows())['cuda:0']).toMatch(/heartbeat [0-9] s ago$/);

    // A worker that stops leaves the list (its heartbeat key is deleted on the way out).
    await workers.shift()!.stop();
    await page.waitForSelector('[data-testid=workers-panel] h3:has-text("Workers (1)")');
    expect(Object.keys(await rows())).toEqual(['cpu']);
    const listed = (await (await fetch(`${server.url}/api/workers`)).json()) as WorkersResponse;
    expect(listed.workers.map((w) => w.device)).toEqual(['cpu']);
  });
  await page.close();
});
