/**
 * QA S8-F5, S8-F6 in Chromium against a real server, on a workflow file as anyone may share it:
 *  - a workflow named with 300 characters made its tab as wide as the name: the tab bar grew to two lines, the other
 *    tabs wrapped their names a word per line and the tabs after it ran off the right edge, out of reach. A tab now
 *    shows at most 240 px of its name (all of it as its tooltip) and the tab bar scrolls when tabs do not fit. In
 *    the Library list the name did not wrap: its rename/delete buttons lay over the next row and took its clicks;
 *  - node and group titles kept bidi overrides, so a LoadImages titled "images \u202Egnp.exe" read "images exe.png".
 *    They are spelled out (⟨U+202E⟩) as workflow names already were (S6-F4); renaming still edits the raw title.
 *    So are file and folder names in the path picker ("evil\u202Egnp.exe" read "evilexe.png").
 *
 *   LoadImages, FakeGrid (titles only; nothing runs)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowFile } from '../../protocol/workflow';
import { newEditorPage, openFromLibrary, startEditorSession, withScreenshot, type EditorSession } from './harness';

let session: EditorSession;

const LONG_NAME = `long ${'x'.repeat(300)}`;
const wf = (name: string): WorkflowFile => ({
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name,
  nodes: [
    {
      id: 'images',
      type: 'LoadImages',
      title: 'images \u202Egnp.exe',
      params: { folder: 'shared' },
      position: { x: 40, y: 60 },
    },
    { id: 'grid', type: 'FakeGrid', params: {}, position: { x: 400, y: 60 } },
  ],
  edges: [],
  groups: [{ id: 'g1', title: 'group \u202Eevil', bounds: { x: 360, y: 0, width: 300, height: 300 } }],
  notes: [],
});

beforeAll(async () => {
  session = await startEditorSession({ 'qa8-short': wf('Short name'), 'qa8-long': wf(LONG_NAME) });
  fs.mkdirSync(path.join(session.server.dataDir, 'shared'));
  fs.writeFileSync(path.join(session.server.dataDir, 'shared', 'evil\u202Egnp.exe'), 'x');
}, 120_000);

afterAll(() => session?.close());

test('a 300-character workflow name keeps the tab bar to one line and every tab within the window', async () => {
  const page = await newEditorPage(session.browser);
  await withScreenshot(page, 'qa8-long-tab', async () => {
    await openFromLibrary(page, session.server, 'qa8-short', 'grid');
    const barBefore = (await page.getByTestId('tabbar').boundingBox())!;
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-qa8-long]');
    await page.getByText('long xxxx', { exact: false }).first().waitFor();
    const bar = (await page.getByTestId('tabbar').boundingBox())!;
    expect(bar.height).toBeLessThanOrEqual(barBefore.height + 1);
    const tabs = page.locator('[data-testid=tabbar] .tab');
    const count = await tabs.count();
    for (let i = 0; i < count; i++) {
      const box = (await tabs.nth(i).boundingBox())!;
      expect(box.width).toBeLessThanOrEqual(280);
      expect(box.height).toBeLessThanOrEqual(bar.height); // no name wrapped to several lines
    }
    const longTab = tabs.filter({ hasText: 'long xxxx' });
    expect(await longTab.locator('span').first().getAttribute('title')).toBe(LONG_NAME);
    const newTab = (await page.getByTestId('new-tab').boundingBox())!;
    expect(newTab.x + newTab.width).toBeLessThanOrEqual(1400);
  });
  await page.close();
});

test('a 300-character name wraps in the Library list, its buttons inside its own row', async () => {
  const page = await newEditorPage(session.browser);
  await withScreenshot(page, 'qa8-long-library', async () => {
    await openFromLibrary(page, session.server, 'qa8-short', 'grid'); // a click on the row below the long name
    const row = (await page.getByTestId('library-qa8-long').boundingBox())!;
    const side = (await page.locator('aside.side').boundingBox())!;
    for (const id of ['rename-qa8-long', 'delete-qa8-long']) {
      const b = (await page.getByTestId(id).boundingBox())!;
      expect(b.x + b.width).toBeLessThanOrEqual(side.x + side.width);
      expect(b.y).toBeGreaterThanOrEqual(row.y);
      expect(b.y + b.height).toBeLessThanOrEqual(row.y + row.height);
    }
  });
  await page.close();
});

test('node and group titles with a bidi override read with it spelled out', async () => {
  const page = await newEditorPage(session.browser);
  await openFromLibrary(page, session.server, 'qa8-short', 'grid');
  await withScreenshot(page, 'qa8-bidi-titles', async () => {
    const title = page.locator('[data-testid=node-images] .title');
    expect(await title.textContent()).toBe('images ⟨U+202E⟩gnp.exe');
    expect(await page.getByTestId('group-title-g1').textContent()).toContain('group ⟨U+202E⟩evil');
    await title.dblclick();
    expect(await page.getByTestId('title-input-images').inputValue()).toBe('images \u202Egnp.exe');
  });
  await page.close();
});

test('the path picker spells out a bidi override in a file name', async () => {
  const page = await newEditorPage(session.browser);
  await openFromLibrary(page, session.server, 'qa8-short', 'grid');
  await withScreenshot(page, 'qa8-bidi-picker', async () => {
    await page.getByTestId('param-images-folder-browse').click();
    const entry = page.getByTestId('picker-entry-evil\u202Egnp.exe');
    expect(await entry.textContent()).toContain('evil⟨U+202E⟩gnp.exe');
  });
  await page.close();
});
