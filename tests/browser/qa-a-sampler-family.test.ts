/**
 * Sample's sampler offers only what the wired model's family has (QA-SD, helper A): the list mixed the emoji
 * model's `heun` with SD's `euler_ancestral` / `dpmpp_2m_karras`, and a sampler the family lacks failed only when
 * Sample ran. In Chromium against a real server, on the quick start:
 *
 *   LoadModel (family) ──model──> Sample (sampler)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, useServerAndBrowser, withScreenshot } from './harness';

const editor = useServerAndBrowser();

const SAMPLER = '[data-testid=param-sample-sampler]';
const offered = (page: Page) =>
  page.$$eval(`${SAMPLER} option`, (options) => options.map((o) => (o as HTMLOptionElement).textContent));

it('offers the family’s samplers, and marks one the family lacks with the error naming the supported ones', async () => {
  const page = await editor.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await withScreenshot(page, 'qa-a-sampler-family', async () => {
    await page.goto(editor.server.url);
    await page.waitForSelector(SAMPLER);
    expect(await page.inputValue('[data-testid=param-model-family]')).toBe('emoji');
    expect(await offered(page)).toEqual(['euler', 'heun']);

    await page.selectOption(SAMPLER, 'heun');
    await page.selectOption('[data-testid=param-model-family]', 'sd15');
    await page.waitForSelector('[data-testid=param-error-sample-sampler]');
    expect(await offered(page)).toEqual([
      'heun (not for the model wired in)',
      'euler',
      'euler_ancestral',
      'dpmpp_2m_karras',
    ]);
    const error = await page.textContent('[data-testid=param-error-sample-sampler]');
    expect(error).toContain('"euler", "euler_ancestral", "dpmpp_2m_karras"');
    expect(error).toContain('received "heun"');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page
      .locator('[data-testid=node-sample]')
      .screenshot({ path: path.join(ARTIFACTS, 'qa-a-sampler-family.png') });

    await page.selectOption(SAMPLER, 'dpmpp_2m_karras');
    await page.waitForSelector('[data-testid=param-error-sample-sampler]', { state: 'detached' });
    expect(await offered(page)).toEqual(['euler', 'euler_ancestral', 'dpmpp_2m_karras']);
  });
  await page.close();
});
