/**
 * QA S6-F1 in Chromium against a real server: a text output of several lines (the LoRA check's report, one line
 * per checkpoint x strength with a `*` on the pick) ran together into one paragraph in the node panel. It now
 * reads line by line, as the CLI prints it.
 *
 *   Text (three lines) ─> its `text` output, shown in the panel after a run
 */
import type { Browser } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { openFromLibrary, startEditorSession, withScreenshot, type EditorSession, type RunningServer } from './harness';

let session: EditorSession;
let server: RunningServer;
let browser: Browser;

const REPORT = [
  'step 100 @ 0.7: effect 34.0, bleeding 11.6',
  '* step 500 @ 1: effect 52.6',
  'finding: the subject is lost',
];

const wf: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Text lines',
  nodes: [{ id: 'report', type: 'Text', params: { text: REPORT.join('\n') }, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
  notes: [],
};

beforeAll(async () => {
  session = await startEditorSession({ 'text-lines': wf });
  ({ server, browser } = session);
}, 120_000);

afterAll(() => session?.close());

test("a text output's lines stay lines in the node panel", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await withScreenshot(page, 'text-output-lines', async () => {
    await openFromLibrary(page, server, 'text-lines', 'report');
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=status-report][data-status=succeeded]');
    await page.click('[data-testid=node-report] .wf-node-header');
    const text = page.locator('[data-testid=panel-output-text] [data-testid=output-text]');
    await text.waitFor();
    // innerText is what the user sees: the lines, not one paragraph with the `*` mid-text.
    expect((await text.innerText()).split('\n')).toEqual(REPORT);
    const box = (await text.boundingBox())!;
    const lineHeight = await text.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 16);
    expect(box.height).toBeGreaterThanOrEqual(lineHeight * 2.5);
  });
  await page.close();
});
