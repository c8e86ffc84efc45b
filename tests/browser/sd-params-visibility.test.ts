/**
 * TrainLoRA's Stable Diffusion settings (v-prediction, min-SNR, noise offset, clip skip, LoCon) mean nothing to the
 * built-in emoji model: they show only when the MODEL comes from LoadModel set to SD 1.5 or SDXL. In Chromium
 * against a real server, on the quick start:
 *
 *   LoadModel (family) ──model──> TrainLoRA
 */
import type { Page } from 'playwright-core';
import { useServerAndBrowser, withScreenshot } from './harness';

const editor = useServerAndBrowser();

const SD_ONLY = ['prediction', 'minSnrGamma', 'noiseOffset', 'clipSkip', 'convRank'];
const shown = (page: Page, param: string) => page.locator(`[data-testid=param-train-${param}]`).count();
// Sample's width, height and clip skip are SD-only too (the emoji model draws 32 px and has no CLIP).
const SAMPLE_SD_ONLY = ['width', 'height', 'clipSkip'];
const sampleShown = (page: Page, param: string) => page.locator(`[data-testid=param-sample-${param}]`).count();

it('hides the SD-only TrainLoRA settings on the emoji model and shows them once LoadModel is set to SD 1.5', async () => {
  const page = await editor.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await withScreenshot(page, 'sd-params-visibility', async () => {
    await page.goto(editor.server.url);
    await page.waitForSelector('[data-testid=node-train] [data-testid=param-train-steps]');
    expect(await page.inputValue('[data-testid=param-model-family]')).toBe('emoji');
    for (const p of SD_ONLY) expect([p, await shown(page, p)]).toEqual([p, 0]);
    // Settings both families use stay.
    expect(await shown(page, 'learningRate')).toBe(1);

    for (const p of SAMPLE_SD_ONLY) expect([p, await sampleShown(page, p)]).toEqual([p, 0]);
    expect(await sampleShown(page, 'steps')).toBe(1);

    await page.selectOption('[data-testid=param-model-family]', 'sd15');
    await page.waitForSelector('[data-testid=param-train-noiseOffset]');
    for (const p of SD_ONLY) expect([p, await shown(page, p)]).toEqual([p, 1]);
    for (const p of SAMPLE_SD_ONLY) expect([p, await sampleShown(page, p)]).toEqual([p, 1]);

    await page.selectOption('[data-testid=param-model-family]', 'emoji');
    await page.waitForSelector('[data-testid=param-train-noiseOffset]', { state: 'detached' });
  });
  await page.close();
});
