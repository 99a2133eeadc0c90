/** A local webhook receiver for the tests: records every request, answers what the test scripts. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { subscription: string; topic: string; partition: number; records: { offset: number; value: { data: unknown } | null }[] };
}

export class Receiver {
  readonly received: Received[] = [];
  /** Status to answer per request, in order; when empty, `fallback`. */
  script: number[] = [];
  fallback = 200;
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ headers: req.headers, body, json: JSON.parse(body) });
        res.statusCode = this.script.shift() ?? this.fallback;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Offsets delivered with a 2xx, per partition, in delivery order. */
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
