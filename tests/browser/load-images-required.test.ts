/**
 * A LoadImages node with no folder and no uploads, in Chromium against a real server: Run is refused at once,
 * naming the node and what to do, instead of the run failing when it reaches the node.
 */
import type { Page } from 'playwright-core';
import { useServerAndBrowser, withScreenshot } from './harness';

const editor = useServerAndBrowser();
let page: Page;

test('Run with an empty LoadImages is refused naming the node: choose a folder or upload images', async () => {
  page = await (await editor.browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await withScreenshot(page, 'load-images-required', async () => {
    await page.goto(editor.server.url);
    await page.click('[data-testid=add-node]');
    await page.fill('[data-testid=palette-search]', 'load images');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=node-loadimages1]');
    await page.click('[data-testid=run]');
    const toast = await page.waitForSelector('[data-testid=toast]:has-text("Cannot run")');
    expect(await toast.textContent()).toContain('LoadImages (loadimages1): choose a folder or upload images');
  });
});
