import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>loraflow</title>
<body style="font-family:system-ui;max-width:40em;margin:4em auto">
<h1>loraflow</h1><p>The server is running, but the editor has not been built.</p>
<p>Run <code>npm run build:client</code> (or <code>npm start</code>, which builds it) and reload this page.</p>
<p>The API is under <a href="/api/health">/api</a>.</p></body>`;

/**
 * Serves the editor's built files with a fallback to index.html for client-side routes. The build is looked for on
 * each request: a server started before `npm run build:client` serves the editor once it exists, and one whose
 * build is being replaced says so instead of an ENOENT page naming the server's folders.
 */
export function serveEditor(app: Express, distDir: string): void {
  const index = path.join(distDir, 'index.html');
  app.use(
    express.static(distDir, {
      index: 'index.html',
      // Hashed assets never change; index.html must be re-read to pick up a new build.
      setHeaders: (res, file) =>
        res.setHeader('Cache-Control', file.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000'),
    }),
  );
  const notBuilt = (res: express.Response) => res.status(503).type('html').send(NOT_BUILT_PAGE);
  app.get(/^\/(?!api\/|ws$).*/, (_req, res) => {
    if (!fs.existsSync(index)) return notBuilt(res);
    res.sendFile(index, { cacheControl: false, headers: { 'Cache-Control': 'no-cache' } }, (err) => {
      if (err && !res.headersSent) notBuilt(res);
    });
  });
}
