/**
 * The route table and the error-code table of docs/api.md, generated from
 * lib/protocol (routes.ts, route-summaries.ts, errors.ts) between the
 * `<!-- routes:start/end -->` and `<!-- errors:start/end -->` markers, so the
 * docs cannot drift from the code. `npx tsx scripts/docs-tables.ts` rewrites
 * the file; test/docs/tables.test.ts fails when it is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ERROR_CODES } from '../lib/protocol/errors';
import { ROUTE_SUMMARIES } from '../lib/protocol/route-summaries';
import { ROUTES, type RouteId } from '../lib/protocol/routes';

export const API_DOC = join(resolve(import.meta.dirname, '..'), 'docs', 'api.md');

/** `/v1/topics/:topic` → `/v1/topics/{topic}`, as the OpenAPI document writes it. */
const braces = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function routeTable(): string {
  const rows = (Object.keys(ROUTES) as RouteId[]).map((id) => {
    const route = ROUTES[id];
    const auth = 'public' in route ? 'no' : 'yes';
    return `| ${route.method} | \`${braces(route.path)}\` | ${ROUTE_SUMMARIES[id]} | ${auth} | \`${id}\` |`;
  });
  return ['| Method | Path | What it does | Credentials | Route id |', '|---|---|---|---|---|', ...rows].join('\n');
}

export function errorTable(): string {
  const byStatus = new Map<number, string[]>();
  for (const [code, { status, retriable }] of Object.entries(ERROR_CODES)) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), `\`${code}\`${retriable ? ' (retriable)' : ''}`]);
  }
  const rows = [...byStatus.entries()].sort(([a], [b]) => a - b).map(([status, codes]) => `| ${status} | ${codes.join(', ')} |`);
  return ['| Status | Codes |', '|---|---|', ...rows].join('\n');
}

function replaceBetween(doc: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/api.md has no ${start} … ${end} markers`);
  return `${doc.slice(0, i + start.length)}\n${content}\n${doc.slice(j)}`;
}

/** docs/api.md with both tables regenerated. */
export function withTables(doc: string): string {
  return replaceBetween(replaceBetween(doc, 'routes', routeTable()), 'errors', errorTable());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(API_DOC, withTables(readFileSync(API_DOC, 'utf8')));
}
