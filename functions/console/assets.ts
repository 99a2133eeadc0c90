/**
 * Serves the built web console (console/dist) under /console/: the files as
 * they are, with their content types; hashed files under assets/ cached for a
 * year (immutable), everything else revalidated on each use (ETag / 304);
 * gzip when the client accepts it; every other path under /console/ answered
 * with index.html so the console's own paths (/console/topics/orders) load.
 * The same app runs in the local server and in the console Lambda function.
 * It talks to no table: the console calls the public /v1 API like any client.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';

export const CONSOLE_BASE = '/console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/;

/** The console's own pages may only load what it ships and talk to its own origin. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface CachedFile {
  mtimeMs: number;
  size: number;
  body: Uint8Array;
  gzipped: Uint8Array | undefined;
  etag: string;
}

export interface ConsoleAssetsOptions {
  /** The built console (console/dist). */
  dir: string;
}

export function consoleAssets(options: ConsoleAssetsOptions): Hono {
  const root = resolve(options.dir);
  const cache = new Map<string, CachedFile>();
  const app = new Hono();

  /** The file's bytes, re-read when it changed on disk (a rebuild while `npm start` runs). */
  const load = (file: string): CachedFile | undefined => {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit;
    const body = new Uint8Array(readFileSync(file));
    const type = contentType(file);
    const gzipped = COMPRESSIBLE.test(type) && body.length > 1024 ? new Uint8Array(gzipSync(body, { level: 9 })) : undefined;
    const entry = { mtimeMs: stat.mtimeMs, size: stat.size, body, gzipped, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    cache.set(file, entry);
    return entry;
  };

  const send = (c: Context, file: string, entry: CachedFile, immutable: boolean): Response => {
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': contentType(file),
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: entry.etag,
      vary: 'accept-encoding',
    };
    if (c.req.header('if-none-match')?.split(',').some((t) => t.trim() === entry.etag)) return new Response(null, { status: 304, headers });
    const gzip = entry.gzipped !== undefined && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    const body = gzip ? entry.gzipped! : entry.body;
    headers['content-length'] = String(body.length);
    return new Response(c.req.method === 'HEAD' ? null : (body as BodyInit), { status: 200, headers });
  };

  app.get(CONSOLE_BASE, (c) => c.redirect(`${CONSOLE_BASE}/${query(c)}`, 302));

  app.get(`${CONSOLE_BASE}/*`, (c) => {
    const relative = safeRelativePath(c.req.path.slice(CONSOLE_BASE.length + 1));
    if (relative === undefined) return c.text('Bad path.', 400);
    const index = load(resolve(root, 'index.html'));
    if (index === undefined) return notBuilt(c, root);
    if (relative !== '' && relative !== 'index.html') {
      const file = resolve(root, relative);
      if (file.startsWith(root + sep)) {
        const entry = load(file);
        if (entry !== undefined) return send(c, file, entry, relative.startsWith('assets/'));
      }
      // A file name that does not exist is a 404; anything else is one of the console's own pages.
      if (extname(relative) !== '') return c.text('Not found.', 404, { 'cache-control': 'no-cache' });
    }
    return send(c, 'index.html', index, false);
  });

  return app;
}

/** Whether a request path belongs to the console (the local server sends these here, the rest to the API). */
export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_BASE || pathname.startsWith(`${CONSOLE_BASE}/`);
}

function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function query(c: Context): string {
  const at = c.req.url.indexOf('?');
  return at === -1 ? '' : c.req.url.slice(at);
}

/** The decoded path below /console/, or undefined for anything that could leave the directory. */
function safeRelativePath(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const parts = decoded.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p === '.')) return undefined;
  return parts.join('/');
}

function notBuilt(c: Context, root: string): Response {
  return c.html(
    `<!doctype html><meta charset="utf-8"><title>Samsa console not built</title>
<body style="font:15px system-ui;margin:3em;max-width:42em">
<h1>The web console is not built</h1>
<p>No <code>index.html</code> in <code>${escapeHtml(root)}</code>. Build it once with</p>
<pre>npm run build:console</pre>
<p>(<code>npm install</code> and <code>npm ci</code> run it too), then reload this page. The HTTP API under <code>/v1</code> works without it.</p>`,
    503,
    { 'cache-control': 'no-store' },
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
}
