#!/usr/bin/env node
// A tiny static server for the storefront demo (node:http, no dependencies).
//
//   node scripts/serve.mjs            -> http://127.0.0.1:8080/demo/
//   PORT=0 node scripts/serve.mjs     -> any free port (the URL is printed)
//
// It serves an allowlist only, laid out as in the repository so that the demo's relative imports
// (../web/index.js -> ../dist/forecart.mjs -> forecart.wasm) resolve exactly as in the package:
//   /demo/                       demo/index.html
//   /demo/<name>.(js|css|svg)    the demo's own static files (top level of demo/ only)
//   /demo/models/<name>.fcm      model files (FORECART_MODELS_DIR, default demo/models), octet-stream
//   /demo/models/<name>.json     files beside them (a catalogue's product names), application/json
//   /web/<name>.js               the package's browser sources (not web/node.js)
//   /dist/forecart.mjs, /dist/forecart.wasm (application/wasm)
// Everything else is a 404 (there is no path joining of user input, hence no traversal). Every
// response carries a strict Content-Security-Policy: no inline scripts or styles, no eval (only
// 'wasm-unsafe-eval' to compile the module), and connect-src 'self' so the page cannot talk to any
// other origin.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.fcm': 'application/octet-stream',
};

const NODE_ONLY = new Set(['node.js']);

// Maps a URL path to a file of the allowlist, or null. Names are matched by strict patterns with no
// '/', '%' or leading '.', so the result is always a direct child of one of the served folders.
function route(pathname, { modelsDir }) {
  if (pathname === '/demo/' || pathname === '/demo/index.html') return join(ROOT, 'demo', 'index.html');
  let m = /^\/demo\/([a-z0-9][a-z0-9_-]*\.(?:js|css|svg))$/i.exec(pathname);
  if (m) return join(ROOT, 'demo', m[1]);
  m = /^\/demo\/models\/([a-z0-9][a-z0-9_.-]*\.(?:fcm|json))$/i.exec(pathname);
  if (m && !m[1].includes('..')) return join(modelsDir, m[1]);
  m = /^\/web\/([a-z0-9][a-z0-9_-]*\.js)$/i.exec(pathname);
  if (m && !NODE_ONLY.has(m[1])) return join(ROOT, 'web', m[1]);
  if (pathname === '/dist/forecart.mjs' || pathname === '/dist/forecart.wasm') return join(ROOT, pathname);
  return null;
}

function extname(file) {
  const i = file.lastIndexOf('.');
  return i < 0 ? '' : file.slice(i).toLowerCase();
}

function plain(res, status, text, extra = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}

export function createDemoServer({ modelsDir = process.env.FORECART_MODELS_DIR || join(ROOT, 'demo', 'models'), log = () => {} } = {}) {
  modelsDir = resolve(modelsDir);
  return http.createServer(async (req, res) => {
    const started = Date.now();
    res.on('finish', () => log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    let pathname;
    try {
      pathname = new URL(req.url, 'http://127.0.0.1').pathname;
    } catch {
      return plain(res, 400, 'bad request\n');
    }
    if (pathname === '/' || pathname === '/demo') {
      res.writeHead(302, { ...SECURITY_HEADERS, Location: '/demo/', 'Cache-Control': 'no-store' });
      return res.end();
    }
    const file = route(pathname, { modelsDir });
    if (!file) return plain(res, 404, 'not found\n');
    let st;
    try {
      st = await stat(file);
    } catch {
      return plain(res, 404, 'not found\n');
    }
    if (!st.isFile()) return plain(res, 404, 'not found\n');
    const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers = {
      ...SECURITY_HEADERS,
      'Content-Type': MIME[extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-cache',
      ETag: etag,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return res.end();
    }
    res.writeHead(200, { ...headers, 'Content-Length': st.size });
    if (req.method === 'HEAD') return res.end();
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
}

async function main() {
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: PORT must be an integer in 0..65535 (got ${JSON.stringify(process.env.PORT)})`);
    process.exit(2);
  }
  const verbose = process.env.FORECART_SERVE_LOG === '1';
  const server = createDemoServer({ log: verbose ? (line) => console.log(line) : undefined });
  const modelsDir = resolve(process.env.FORECART_MODELS_DIR || join(ROOT, 'demo', 'models'));
  const models = (await readdir(modelsDir).catch(() => [])).filter((f) => f.endsWith('.fcm'));
  if (!models.length) console.error(`serve: warning: no .fcm model in ${modelsDir} (run scripts/train-demo-model.sh)`);
  server.on('error', (err) => {
    console.error(`serve: ${err.code === 'EADDRINUSE' ? `port ${port} is in use (set PORT)` : err.message}`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => {
    const { port: actual } = server.address();
    console.log(`forecart demo: http://127.0.0.1:${actual}/demo/`);
    console.log('(serving the demo, web/*.js, dist/forecart.{mjs,wasm} and models only; Ctrl+C stops)');
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
