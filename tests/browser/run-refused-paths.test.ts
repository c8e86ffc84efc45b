/**
 * QA S5-F10 in Chromium against a real server: a workflow whose SaveCheckpoint folder leaves the allowed folders
 * passed the editor's own checks (they cover what it reads) and the server started it. Now Run is refused by the
 * server before anything trains, and the refusal is shown on the node's parameter, not only in a toast.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  openFromLibrary,
  REPO,
  startEditorSession,
  withScreenshot,
  type EditorSession,
  type RunningServer,
} from './harness';

let session: EditorSession;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const wf = JSON.parse(
    fs.readFileSync(path.join(REPO, 'workflows/quickstart-style-lora.json'), 'utf8'),
  ) as WorkflowFile;
  wf.nodes.find((n) => n.id === 'save')!.params.folder = '../../../tmp/qa5-evil-out';
  session = await startEditorSession({ 'evil-save': wf });
  ({ server, browser } = session);
  // The folder the quick start reads, so that the editor's read-path check passes and the server is asked.
  fs.mkdirSync(path.join(server.dataDir, 'examples/twemoji-style'), { recursive: true });
}, 120000);

afterAll(() => session?.close());

test('Run with a Save folder outside the allowed folders is refused, and the folder field shows why', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
  await withScreenshot(page, 'run-refused-paths', async () => {
    await openFromLibrary(page, server, 'evil-save', 'save');
    await page.click('[data-testid=run]');
    const toast = await page.waitForSelector('[data-testid=toast]:has-text("Run refused")');
    expect(await toast.textContent()).toMatch(/node "save".*parameter "folder".*outside the allowed folders/);
    const field = page.locator('[data-testid=field-save-folder]');
    await field.locator('text=outside the allowed folders').waitFor();
    expect(await field.getAttribute('class')).toContain('has-error');
    // The learning rate's cap of 1 (QA S5-F9) is a limit, not a range: no slider where 1e-4 would sit at the left end.
    expect(await page.locator('[data-testid=param-train-learningRate]').count()).toBe(1);
    expect(await page.locator('[data-testid=param-train-learningRate-slider]').count()).toBe(0);
  });
  const runs = (await (await fetch(`${server.url}/api/runs`)).json()) as unknown[];
  expect(runs).toHaveLength(0);
});
