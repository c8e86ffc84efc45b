/** The blank-image detector behind Sample's and the LoRA check's warning (QA S6-F17): one colour edge to edge. */
import { blankColour, blankImagesWarning } from '../../nodes/model/blank-image';

const flat = (r: number, g: number, b: number, pixels = 16): Uint8Array => {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) out.set([r, g, b], i * 3);
  return out;
};

test('one colour (within 2 levels) is blank; any detail is not', () => {
  expect(blankColour(flat(0, 0, 0))).toBe('#000000');
  const grey = flat(128, 128, 128);
  grey[7] = 130;
  grey[20] = 126;
  expect(blankColour(grey)).toBe('#808080');
  grey[30] = 131;
  expect(blankColour(grey)).toBeUndefined();
  const gradient = Uint8Array.from({ length: 48 }, (_, i) => i * 5);
  expect(blankColour(gradient)).toBeUndefined();
  expect(blankColour(new Uint8Array(0))).toBeUndefined();
});

test('the warning names the blank images, their colour, the cause and what to try', () => {
  const fine = Uint8Array.from({ length: 48 }, (_, i) => (i * 37) % 256);
  expect(blankImagesWarning([{ rgb: fine, label: 'image 1 "cat"', withLora: false }])).toBeUndefined();

  const base = blankImagesWarning(
    ['a', 'b', 'c', 'd', 'e'].map((p, i) => ({
      rgb: flat(255, 255, 255),
      label: `image ${i + 1} "${p}"`,
      withLora: false,
    })),
  );
  expect(base).toMatch(
    /^every image is blank, one colour from edge to edge: image 1 "a" \(all white\), image 2 "b" \(all white\), image 3 "c" \(all white\) and 2 more\. /,
  );
  expect(base).toMatch(/NaN or infinite values/);
  expect(base).toMatch(/lower guidance scale.*float32/);

  const check = blankImagesWarning(
    [
      { rgb: fine, label: 'base model "cat"', withLora: false },
      { rgb: flat(10, 200, 30), label: 'step 30 @ 1 "cat"', withLora: true },
    ],
    'LoRA check',
  );
  expect(check).toMatch(
    /^LoRA check: 1 of 2 images are blank, one colour from edge to edge: step 30 @ 1 "cat" \(all #0ac81e\)\. Only images with a LoRA are blank/,
  );
  expect(check).toMatch(/lower LoRA strength/);

  // The base model blank too: the LoRA is not to blame, the model is.
  const both = blankImagesWarning([
    { rgb: flat(0, 0, 0), label: 'image 1 "cat"', withLora: false },
    { rgb: flat(0, 0, 0), label: 'image 1 "cat" [mine@1]', withLora: true },
  ]);
  expect(both).toMatch(/^every image is blank/);
  expect(both).not.toMatch(/Only images with a LoRA|LoRA strength \(/);
  expect(both).toMatch(/if the model alone stays blank/);
});
