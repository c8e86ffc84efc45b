/**
 * QA S6-F15: two editor windows open the same library workflow, both edit, both save; the second save silently
 * replaced the first one's changes. Now the second save is refused (409) and a dialog asks: load theirs (one undo
 * step: Ctrl+Z brings yours back), overwrite with yours, or save yours as a copy. In Chromium (two browser contexts,
 * as two windows with their own storage) against a real server.
 */
import type { Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { newEditorPage, openFromLibrary, putWorkflow, useServerAndBrowser, withScreenshot } from './harness';

const editor = useServerAndBrowser();

const shared = (text: string): WorkflowFile => ({
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'shared',
  nodes: [{ id: 't', type: 'Text', params: { text }, position: { x: 100, y: 100 } }],
  edges: [],
  groups: [],
  notes: [],
});

const storedText = async (name: string): Promise<string> => {
  const wf = (await (await fetch(`${editor.server.url}/api/workflows/${name}`)).json()) as WorkflowFile;
  return String(wf.nodes[0]?.params.text);
};

const FIELD = '[data-testid=param-t-text]';

async function typeText(page: Page, text: string): Promise<void> {
  await page.fill(FIELD, text);
  await page.click('.react-flow__pane', { position: { x: 600, y: 700 } });
}

async function save(page: Page): Promise<void> {
  await page.keyboard.press('Control+s');
}

it('the second of two windows saving the same workflow is asked, and loses nothing', async () => {
  await putWorkflow(editor.server, 'shared', shared('original'));
  const a = await newEditorPage(editor.browser);
  const b = await newEditorPage(editor.browser);
  await withScreenshot(b, 'save-conflict', async () => {
    await openFromLibrary(a, editor.server, 'shared', 't');
    await openFromLibrary(b, editor.server, 'shared', 't');

    await typeText(a, 'from A');
    await save(a);
    await a.waitForSelector('.toast:has-text("Saved shared.json")');
    expect(await storedText('shared')).toBe('from A');

    // B saves over a revision that is no longer the file's: asked, and A's save stays.
    await typeText(b, 'from B');
    await save(b);
    const dialog = b.locator('[data-testid=save-conflict]');
    await dialog.waitFor();
    expect(await dialog.locator('[data-testid=save-conflict-message]').textContent()).toMatch(
      /"shared" was changed since you opened it/,
    );
    expect(await storedText('shared')).toBe('from A');

    // Load theirs: B shows A's text, saved; Ctrl+Z brings B's own back.
    await b.click('[data-testid=conflict-reload]');
    await b.waitForSelector('.toast:has-text("Reloaded shared.json")');
    expect(await b.inputValue(FIELD)).toBe('from A');
    await b.click('.react-flow__pane', { position: { x: 600, y: 700 } });
    await b.keyboard.press('Control+z');
    expect(await b.inputValue(FIELD)).toBe('from B');

    // A is still at its own save's revision (B saved nothing): its next save goes through without a question.
    await typeText(a, 'A again');
    await save(a);
    await a.waitForSelector('.toast:has-text("Saved shared.json")');

    // B (at A's first revision) saves: asked again; a copy leaves A's file as it is.
    await save(b);
    await dialog.waitFor();
    b.once('dialog', (d) => void d.accept('shared from B'));
    await b.click('[data-testid=conflict-copy]');
    await b.waitForSelector('.toast:has-text("Saved shared-from-b.json")');
    expect(await storedText('shared-from-b')).toBe('from B');
    expect(await storedText('shared')).toBe('A again');

    // Overwrite: B reopens the shared one, A saves meanwhile, B overwrites knowingly.
    await b.click('[data-testid=side-library]');
    await b.click('[data-testid=library-shared]');
    await b.waitForFunction(
      (sel) => (document.querySelector(sel) as HTMLTextAreaElement | null)?.value === 'A again',
      FIELD,
    );
    await typeText(a, 'A third');
    await save(a);
    await a.waitForSelector('.toast:has-text("Saved shared.json")');
    await typeText(b, 'B wins');
    await save(b);
    await dialog.waitFor();
    await b.click('[data-testid=conflict-overwrite]');
    await b.waitForSelector('.toast:has-text("Saved shared.json")');
    expect(await storedText('shared')).toBe('B wins');
    expect(await dialog.count()).toBe(0);
  });
  await a.context().close();
  await b.context().close();
});

it('a tab follows its own rename without a false conflict; a workflow deleted meanwhile is saved again on request', async () => {
  await putWorkflow(editor.server, 'to-rename', { ...shared('mine'), name: 'to-rename' });
  await putWorkflow(editor.server, 'to-delete', { ...shared('kept'), name: 'to-delete' });
  const page = await newEditorPage(editor.browser);
  await withScreenshot(page, 'save-conflict-rename', async () => {
    // Renaming with a title rewrites the file (a new revision): the tab takes it and its next save just saves.
    await openFromLibrary(page, editor.server, 'to-rename', 't');
    page.once('dialog', (d) => void d.accept('renamed here'));
    await page.click('[data-testid=rename-to-rename]');
    await page.waitForSelector('.toast:has-text("Renamed to renamed-here.json")');
    await typeText(page, 'after the rename');
    await save(page);
    await page.waitForSelector('.toast:has-text("Saved renamed-here.json")');
    expect(await storedText('renamed-here')).toBe('after the rename');

    // Deleted by someone else: the save asks, and "Save mine again" writes it back.
    await page.click('[data-testid=library-to-delete]');
    await page.waitForFunction(
      (sel) => (document.querySelector(sel) as HTMLTextAreaElement | null)?.value === 'kept',
      FIELD,
    );
    const gone = await fetch(`${editor.server.url}/api/workflows/to-delete`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
    });
    expect(gone.status).toBe(204);
    await typeText(page, 'still mine');
    await save(page);
    await page.waitForSelector('[data-testid=save-conflict]');
    expect(await page.textContent('[data-testid=save-conflict-message]')).toMatch(/"to-delete" was deleted/);
    expect(await page.locator('[data-testid=conflict-reload]').count()).toBe(0);
    await page.click('[data-testid=conflict-overwrite]');
    await page.waitForSelector('.toast:has-text("Saved to-delete.json")');
    expect(await storedText('to-delete')).toBe('still mine');
  });
  await page.context().close();
});
