/**
 * The contract check of the API tests: every answer `stack.call()` gets must
 * be one the OpenAPI document describes. The operation is found by method and
 * path template, then the status must be one of its responses, and the body
 * must validate against that response's schema (JSON Schema 2020-12, Ajv);
 * a response without content in the document must have no body.
 */
import { appendFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormatsModule from 'ajv-formats';
import { openApiDocument } from '../../functions/http/openapi';

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId: string;
  responses: Record<string, ResponseObject>;
}
type PathItem = Record<string, Operation>;
interface Document {
  paths: Record<string, PathItem>;
}

const DOC_ID = 'https://samsa.invalid/openapi.json';

interface Template {
  path: string;
  pattern: RegExp;
}

let compiled: { doc: Document; ajv: Ajv2020; templates: Template[]; validators: Map<string, ValidateFunction> } | undefined;

function contract() {
  if (compiled !== undefined) return compiled;
  const doc = openApiDocument() as unknown as Document;
  // Not strict: the document is added whole, so its `#/components/schemas/…` refs resolve
  // as they do for any OpenAPI tool; its non-schema parts (paths, info, …) are not keywords.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // ajv-formats is CommonJS: its default export arrives wrapped under ESM interop.
  const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as (a: Ajv2020) => void;
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  const templates = Object.keys(doc.paths)
    .map((path) => ({ path, pattern: new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`) }))
    // A literal segment beats a parameter where both match (none does today; cheap insurance).
    .sort((a, b) => b.path.replace(/\{[^}]+\}/g, '').length - a.path.replace(/\{[^}]+\}/g, '').length);
  compiled = { doc, ajv, templates, validators: new Map() };
  return compiled;
}

/** A JSON pointer as a URI fragment: `~` and `/` escaped, then percent-encoded (path templates hold braces). */
const pointer = (...parts: string[]) => parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

export interface CheckedResponse {
  method: string;
  /** The request path, with its query string. */
  path: string;
  status: number;
  headers: Headers;
  body: unknown;
}

/** The operation a request reaches, or undefined for a path or method the API does not have. */
export function findOperation(method: string, path: string): { template: string; operation: Operation } | undefined {
  const { doc, templates } = contract();
  const bare = path.split('?')[0] ?? path;
  for (const t of templates) {
    if (!t.pattern.test(bare)) continue;
    const operation = doc.paths[t.path]?.[method.toLowerCase()];
    if (operation !== undefined) return { template: t.path, operation };
  }
  return undefined;
}

/** Throws, saying what does not match, when the document does not describe this answer. */
export function checkResponse(res: CheckedResponse): void {
  const { ajv, validators } = contract();
  const where = `${res.method} ${res.path} → ${res.status}`;
  const found = findOperation(res.method, res.path);
  if (found === undefined) {
    throw new Error(`Contract: ${where}: the OpenAPI document has no operation ${res.method} for this path (body ${preview(res.body)}).`);
  }
  // SAMSA_CONTRACT_COVERAGE=<file>: append `<operationId> <status>` per answer, to see which documented responses the tests reach.
  const coverage = process.env.SAMSA_CONTRACT_COVERAGE;
  if (coverage !== undefined && coverage !== '') appendFileSync(coverage, `${found.operation.operationId} ${res.status}\n`);
  const response = found.operation.responses[String(res.status)];
  if (response === undefined) {
    throw new Error(
      `Contract: ${where}: status ${res.status} is not documented for ${found.operation.operationId} ` +
        `(documented: ${Object.keys(found.operation.responses).join(', ')}); body ${preview(res.body)}.`,
    );
  }
  const media = response.content?.['application/json'];
  if (media === undefined) {
    if (res.body !== undefined) throw new Error(`Contract: ${where}: documented without a body, got ${preview(res.body)}.`);
    return;
  }
  if (res.body === undefined) throw new Error(`Contract: ${where}: documented with a JSON body, got none.`);
  const type = res.headers.get('content-type') ?? '';
  if (!/^application\/json\b/.test(type)) throw new Error(`Contract: ${where}: content-type is '${type}', not application/json.`);
  const ref = `${DOC_ID}#/${pointer('paths', found.template, res.method.toLowerCase(), 'responses', String(res.status), 'content', 'application/json', 'schema')}`;
  let validate = validators.get(ref);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: ref });
    validators.set(ref, validate);
  }
  if (!validate(res.body)) {
    const errors = (validate.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    throw new Error(`Contract: ${where} (${found.operation.operationId}): the body does not match the document:\n  ${errors.join('\n  ')}\nbody: ${preview(res.body)}`);
  }
}

function preview(body: unknown): string {
  const text = JSON.stringify(body) ?? 'none';
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}
