/**
 * QA S8-F10: an upload named ".png" (a dot file, or a name whose stem was all dots such as "..png") was stored as
 * "png": the leading dots went and the extension with them, so LoadImages' uploads list named a file without one.
 * Such a name now keeps its extension after "upload" ("upload.png"); other names are kept as before.
 */
import { useServer } from './harness';

const server = useServer({ timeoutMs: 60_000 });

function send(name: string): Promise<Response> {
  return fetch(`${server.url}/api/uploads?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'x-loraflow-upload': '1', 'content-type': 'image/png' },
    body: new Uint8Array([137, 80, 78, 71]),
  });
}

async function upload(name: string): Promise<string> {
  const res = await send(name);
  expect(res.status).toBe(201);
  const { path } = (await res.json()) as { path: string };
  return path.split('/').pop()!;
}

test.each([
  ['.png', /^upload(-\d+)?\.png$/],
  ['..png', /^upload(-\d+)?\.png$/],
  ['.hidden.png', /^hidden\.png$/],
  ['cat photo.png', /^cat_photo\.png$/],
  ['....', /^upload$/],
])('an upload named %p is stored with its extension', async (name, stored) => {
  expect(await upload(name)).toMatch(stored);
});

/*
 * QA (helper B): every letter outside ASCII became "_": "🐱.png" was stored as "__.png" (a UTF-16 pair, two "_"),
 * "café.png" as "caf_.png", so LoadImages' uploads list could not tell two such files apart. Unicode letters, digits
 * and emoji are kept (NFC), and what the path policy refuses in a name still never reaches the disk.
 */
test.each([
  ['🐱.png', '🐱.png'],
  ['my 🐱 cat.png', 'my_🐱_cat.png'],
  ['👍🏽 👨‍👩‍👧 🇯🇵 1️⃣.png', '👍🏽_👨‍👩‍👧_🇯🇵_1️⃣.png'],
  ['日本語の写真.jpg', '日本語の写真.jpg'],
  ['Ελληνικά-كلمة_2.webp', 'Ελληνικά-كلمة_2.webp'],
  ['cafe\u0301.png', 'caf\u00e9.png'], // decomposed (macOS) → NFC
  ['a\u202Egnp.exe', 'a_gnp.exe'], // a bidi override would show "aexe.png"
  ['bell\u0007\u200f.png', 'bell__.png'],
  ['../../🐱.png', '🐱.png'],
  ['C:\\Users\\me\\🐱.png', '🐱.png'],
  ['..🐱', 'upload.🐱'],
])('an upload named %p keeps its letters and emoji: %p', async (name, stored) => {
  // Without the "-<n>" that a second file of the same name gets.
  expect((await upload(name)).replace(/-\d+(?=(\.[^.]*)?$)/, '')).toBe(stored);
});

test('an over-long emoji name is cut at a whole emoji, keeps its extension and stays one valid name', async () => {
  const stored = await upload(`${'👨‍👩‍👧'.repeat(40)}.png`);
  expect(stored.endsWith('.png')).toBe(true);
  expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(200);
  expect(stored.slice(0, -4)).toMatch(/^(👨‍👩‍👧)+$/u);
  expect(stored).toBe(Buffer.from(stored, 'utf8').toString('utf8')); // no half of a UTF-16 pair
});

test.each(['con.png', 'NUL', 'com1.tar.gz', 'LPT9.jpg'])('a reserved name %p is refused', async (name) => {
  const res = await send(name);
  expect(res.status).toBe(400);
  expect(((await res.json()) as { message: string }).message).toMatch(/reserved/);
});
