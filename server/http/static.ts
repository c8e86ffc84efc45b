import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>loraflow</title>
<body style="font-family:system-ui;max-width:40em;margin:4em auto">
<h1>loraflow</h1><p>The server is running, but the editor has not been built.</p>
<p>Run <code>npm run build:client</code> (or <code>npm start</code>, which builds it) and reload this page.</p>
<p>The API is under <a href="/api/health">/api</a>.</p></body>`;

/** Serves the editor's built files with a fallback to index.html for client-side routes. */
export function serveEditor(app: Express, distDir: string): void {
  const index = path.join(distDir, 'index.html');
  if (fs.existsSync(index)) {
    app.use(
      express.static(distDir, {
        index: 'index.html',
        // Hashed assets never change; index.html must be re-read to pick up a new build.
        setHeaders: (res, file) =>
          res.setHeader('Cache-Control', file.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000'),
      }),
    );
    app.get(/^\/(?!api\/|ws$).*/, (_req, res) => res.sendFile(index));
  } else {
    app.get(/^\/(?!api\/|ws$).*/, (_req, res) => res.type('html').send(NOT_BUILT_PAGE));
  }
}
