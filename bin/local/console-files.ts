/**
 * Local mode's `/console/`: the web console, built in memory by esbuild at start (about a
 * tenth of a second), served on the API's own port so the page and the API share an origin
 * (`config.json` says so with an empty `apiUrl`), with the same strict headers as CloudFront
 * sends deployed (lib/console-hosting.ts).
 */
import type http from 'node:http';
import { buildConsole, type ConsoleFile } from '../../lambdas/console/build';

/** Where the console lives on the local API's port. */
export const CONSOLE_PATH = '/console/';

/**
 * The console's Content-Security-Policy: scripts, styles and API calls from this origin only,
 * no inline script or style, no frames, no plugins, no other origin at all.
 */
export function consoleCsp(apiOrigin = "'self'"): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self'${apiOrigin === "'self'" ? '' : ` ${apiOrigin}`}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every console file is served with. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': consoleCsp(),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Serves the console's files; answers whether the request was one of its paths. */
export type ConsoleServer = (method: string, pathname: string, response: http.ServerResponse) => boolean;

/** Builds the console and returns its server. */
export function consoleServer(files: ConsoleFile[] = buildConsole()): ConsoleServer {
  const byPath = new Map<string, { contentType: string; body: Buffer }>(files.map((file) => [`${CONSOLE_PATH}${file.path}`, file]));
  byPath.set(CONSOLE_PATH, byPath.get(`${CONSOLE_PATH}index.html`)!);
  // Same origin as the API: the page calls `/me`, `/teams/...` on this port.
  byPath.set(`${CONSOLE_PATH}config.json`, { contentType: 'application/json', body: Buffer.from(JSON.stringify({ apiUrl: '' })) });
  return (method, pathname, response) => {
    if (pathname === '/console') {
      response.writeHead(308, { Location: CONSOLE_PATH, ...CONSOLE_SECURITY_HEADERS });
      response.end();
      return true;
    }
    if (!pathname.startsWith(CONSOLE_PATH)) return false;
    const file = byPath.get(pathname);
    if (!file || (method !== 'GET' && method !== 'HEAD')) {
      response.writeHead(file ? 405 : 404, { 'Content-Type': 'text/plain; charset=utf-8', ...CONSOLE_SECURITY_HEADERS });
      response.end(file ? 'method not allowed' : 'not found');
      return true;
    }
    response.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.body.length), ...CONSOLE_SECURITY_HEADERS });
    response.end(method === 'HEAD' ? undefined : file.body);
    return true;
  };
}
