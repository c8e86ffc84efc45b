/**
 * QA (session 4): a Sample width that is not a multiple of 64 showed no error in the editor; the run trained first
 * and Sample failed afterwards. The field now says so as it is typed, before anything runs.
 *
 *   LoadModel(sd15) ──model──▶ Sample (width typed: 100, then 128)
 */
import type { Page } from 'playwright-core';
import { useServerAndBrowser, withScreenshot } from './harness';

const editor = useServerAndBrowser();
let page: Page;

test('typing a Sample width of 100 shows "a multiple of 64" on the field; 128 clears it', async () => {
  page = await (await editor.browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.setDefaultTimeout(20000);
  await withScreenshot(page, 'sample-width-step', async () => {
    await page.goto(editor.server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-sd15-style-lora]');
    const width = '[data-testid=param-sample-width]';
    await page.waitForSelector(width);
    await page.fill(width, '100');
    await page.press(width, 'Tab');
    const error = page.locator('[data-testid=param-error-sample-width]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/multiple of 64/);
    await page.fill(width, '128');
    await page.press(width, 'Tab');
    await error.waitFor({ state: 'detached' });
  });
  await page.context().close();
}, 60000);
