import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => Served | { status?: number; headers?: Record<string, string | undefined>; body?: string | Buffer } | 'hang' | 'handled' | undefined;

/**
 * A local HTTP server on 127.0.0.1 for fetch and URL-ingest tests: routes by path, records every
 * request it receives (so a test can show that a refused fetch sent nothing).
 */
export async function startHttpServer(routes: Record<string, Route | Served>): Promise<{
  url: (path: string) => string;
  port: number;
  requests: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}> {
  const requests: Array<{ path: string; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ path, headers: req.headers });
    const route = routes[path];
    const served = typeof route === 'function' ? route(req, res) : route;
    if (served === 'hang' || served === 'handled') return;
    if (!served) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(served.status ?? 200, Object.fromEntries(Object.entries(served.headers ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>);
    res.end(served.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
