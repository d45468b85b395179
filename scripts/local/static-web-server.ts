import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { sendJson } from '../../packages/local/src/http-io';
import { decodePathPart, parseRequestTarget } from '../../packages/local/src/request-target';

export interface StaticWebServerOptions {
  /** The built front end (`web/dist`); when it does not exist only `/config.json` is served. */
  distDir: string;
  /** Served as `/config.json`, so the page talks to the local gateway. */
  config: () => Record<string, unknown>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

const NOT_BUILT =
  '<!doctype html><title>Switchboard</title><p>The front end is not built: run the web build, ' +
  'then restart <code>npm start</code>.</p>';

/** Serves the built front end and `/config.json`; unknown paths without an extension get `index.html`. */
export function createStaticWebServer(options: StaticWebServerOptions): Server {
  const root = normalize(options.distDir);
  return createServer((request, response) => {
    const path = decodePathPart(parseRequestTarget(request.url).path);
    if (path === null) return sendJson(response, 400, { message: 'Bad Request' });
    if (path === '/config.json') return sendJson(response, 200, options.config(), { 'cache-control': 'no-store' });
    if (!existsSync(root)) {
      response.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(NOT_BUILT);
    }
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return sendJson(response, 403, { message: 'Forbidden' });
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      if (extname(path) !== '') return sendJson(response, 404, { message: 'Not Found' });
      file = join(root, 'index.html');
      if (!existsSync(file)) return sendJson(response, 404, { message: 'Not Found' });
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
    return undefined;
  });
}
