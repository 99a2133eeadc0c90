/**
 * A pass-through HTTP proxy in front of a docs stack that records the error
 * codes the API answers. An example may get an error answer only if its
 * shown output names that code: otherwise a failed request hidden behind a
 * `jq` projection (`.partitions | length` of an error body is 0) would pass
 * as a number of the right type.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export interface ErrorRecorder {
  url: string;
  /** Error codes (or `HTTP <status>` when the body has none) answered since the last call, and forget them. */
  take(): string[];
  close(): Promise<void>;
}

export function startErrorRecorder(target: string): Promise<ErrorRecorder> {
  const upstream = new URL(target);
  let seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer: IncomingMessage) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const status = answer.statusCode ?? 0;
          if (status >= 400) {
            let code = `HTTP ${status}`;
            try {
              code = (JSON.parse(body.toString('utf8')) as { error?: { code?: string } }).error?.code ?? code;
            } catch {
              // not JSON: keep the status
            }
            seen.push(code);
          }
          res.writeHead(status, answer.headers);
          res.end(body);
        });
      },
    );
    forward.on('error', (err) => {
      seen.push(`proxy: ${err.message}`);
      res.writeHead(502).end();
    });
    req.pipe(forward);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        take() {
          const codes = seen;
          seen = [];
          return codes;
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
