/**
 * QA S6-F5 (in part) in Chromium against a real server: at 800x600 the toolbar's last buttons (Download, Open)
 * ran past the right edge and the minimap covered a third of the canvas left beside the side panel. The toolbar
 * now wraps and the minimap hides in small windows; at a large size both are as before.
 *
 *   FakeGrid (any workflow: the editor's chrome is what is measured)
 */
import type { Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { openFromLibrary, startEditorSession, withScreenshot, type EditorSession } from './harness';

let session: EditorSession;

const wf: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Small window',
  nodes: [{ id: 'grid', type: 'FakeGrid', params: {}, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
  notes: [],
};

beforeAll(async () => {
  session = await startEditorSession({ 'small-window': wf });
}, 120_000);

afterAll(() => session?.close());

async function open(width: number, height: number): Promise<Page> {
  const page = await session.browser.newPage({ viewport: { width, height } });
  await openFromLibrary(page, session.server, 'small-window', 'grid');
  return page;
}

test('at 800x600 every toolbar button is inside the window and the minimap is hidden', async () => {
  const page = await open(800, 600);
  await withScreenshot(page, 'small-window-800', async () => {
    for (const id of ['download', 'upload']) {
      const box = (await page.locator(`[data-testid=${id}]`).boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(800);
    }
    expect(await page.locator('.react-flow__minimap').isVisible()).toBe(false);
  });
  await page.close();
});

test('at 1400x900 the minimap shows as before', async () => {
  const page = await open(1400, 900);
  expect(await page.locator('.react-flow__minimap').isVisible()).toBe(true);
  await page.close();
});
