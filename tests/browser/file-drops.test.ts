/**
 * Files dropped on the canvas, in Chromium against a real server: a broken .safetensors says it is not one and
 * why; the same sample PNG dropped twice focuses the tab it opened the first time instead of opening another.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { emptyWorkflow } from '../../protocol/workflow-io';
import { useServerAndBrowser, withScreenshot } from './harness';

const editor = useServerAndBrowser();
let page: Page;

beforeEach(async () => {
  page = await (await editor.browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(editor.server.url);
  await page.waitForSelector('[data-testid=canvas]');
});

/** Drops one file with these bytes on the canvas, as the user's file manager would. */
async function drop(name: string, bytes: Buffer, type = ''): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ([b64, fileName, mime]) => {
      const data = Uint8Array.from(atob(b64 as string), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], fileName as string, { type: mime as string }));
      return dt;
    },
    [bytes.toString('base64'), name, type],
  );
  await page.dispatchEvent('[data-testid=canvas]', 'dragover', { dataTransfer });
  await page.dispatchEvent('[data-testid=canvas]', 'drop', { dataTransfer });
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Buffer): number =>
  (b.reduce((c, x) => crcTable[(c ^ x) & 0xff]! ^ (c >>> 8), 0xffffffff) ^ 0xffffffff) >>> 0;

/** A real PNG with a `workflow` tEXt chunk after its IHDR, as loraflow's samples carry it. */
async function pngWithWorkflow(text: string): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0a0' } })
    .png()
    .toBuffer();
  const body = Buffer.concat([Buffer.from('tEXt'), Buffer.from('workflow\0', 'latin1'), Buffer.from(text, 'latin1')]);
  const chunk = Buffer.alloc(12 + body.length - 4);
  chunk.writeUInt32BE(body.length - 4, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), 4 + body.length);
  const afterIhdr = 8 + 25;
  return Buffer.concat([png.subarray(0, afterIhdr), chunk, png.subarray(afterIhdr)]);
}

test('a 2-byte .safetensors dropped on the canvas says it is not a safetensors file and why', async () => {
  await withScreenshot(page, 'drop-broken-safetensors', async () => {
    await drop('broken.safetensors', Buffer.from([1, 2]));
    const toast = await page.waitForSelector('[data-testid=toast]:has-text("broken.safetensors")');
    expect(await toast.textContent()).toContain(
      'broken.safetensors is not a safetensors file (2 bytes; a safetensors file starts with an 8-byte header length)',
    );
    expect(await toast.textContent()).not.toContain('DataView');
  });
});

test('a .safetensors whose header is longer than the file says both sizes', async () => {
  await withScreenshot(page, 'drop-truncated-safetensors', async () => {
    const bytes = Buffer.alloc(20);
    bytes.writeBigUInt64LE(5000n);
    await drop('cut.safetensors', bytes);
    const toast = await page.waitForSelector('[data-testid=toast]:has-text("cut.safetensors")');
    expect(await toast.textContent()).toContain('its header claims 5,000 bytes but the file has 20 bytes');
  });
});

test('the same sample PNG dropped twice focuses the tab it opened instead of opening a second one', async () => {
  await withScreenshot(page, 'drop-png-twice', async () => {
    const png = await pngWithWorkflow(JSON.stringify(emptyWorkflow('Dropped twice')));
    const tabs = page.locator('[data-testid=tabbar] [data-testid^="tab-"]');
    const before = await tabs.count();
    await drop('sample.png', png, 'image/png');
    await page.waitForSelector('[data-testid=toast]:has-text("Opened the workflow that made sample.png")');
    expect(await tabs.count()).toBe(before + 1);
    await page.click(`[data-testid=tabbar] [data-testid^="tab-"] >> nth=0`); // another tab is active now
    await drop('sample.png', png, 'image/png');
    await page.waitForSelector('[data-testid=toast]:has-text("already open")');
    expect(await tabs.count()).toBe(before + 1);
    expect(await page.locator('[data-testid=tabbar] .active').textContent()).toContain('Dropped twice');
  });
});
