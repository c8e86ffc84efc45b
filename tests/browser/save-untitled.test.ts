/**
 * Saving a tab that is not in the library yet takes the file its name maps to only when that file is free: a
 * second "Untitled" saved with Ctrl+S asks for a name instead of replacing the first one's file. In Chromium
 * against a real server.
 */
import type { WorkflowFile } from '../../protocol/workflow';
import { useServerAndBrowser, withScreenshot } from './harness';

const editor = useServerAndBrowser();

const stored = async (name: string): Promise<WorkflowFile> =>
  (await (await fetch(`${editor.server.url}/api/workflows/${name}`)).json()) as WorkflowFile;

it('a second Untitled saved with Ctrl+S asks for a name and leaves the first one saved', async () => {
  const page = await editor.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await withScreenshot(page, 'save-untitled', async () => {
    await page.goto(editor.server.url);
    await page.waitForSelector('[data-testid=node-train]');
    const addText = async (text: string): Promise<void> => {
      await page.click('[data-testid=new-tab]');
      await page.mouse.dblclick(400, 400);
      await page.keyboard.type('Text');
      await page.keyboard.press('Enter');
      const field = page.locator('[data-testid^=param-text][data-testid$=-text]').first();
      await field.fill(text);
      await field.blur();
    };

    await addText('the first one');
    await page.keyboard.press('Control+s');
    await page.waitForSelector('.toast:has-text("Saved untitled.json")');
    expect(JSON.stringify((await stored('untitled')).nodes)).toContain('the first one');

    await addText('the second one');
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.message());
        void d.dismiss();
      }),
    );
    await page.keyboard.press('Control+s');
    expect(await asked).toContain('"untitled" exists in the library already');
    await page.waitForTimeout(500);
    expect(JSON.stringify((await stored('untitled')).nodes)).toContain('the first one');
  });
  await page.close();
});
