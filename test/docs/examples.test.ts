/**
 * Every example in README.md and docs/*.md runs, in document order, against a
 * fresh stack per document (test/docs/runner.ts), and its shown output is
 * checked by shape (test/docs/blocks.ts; the convention is in
 * docs/development.md "Examples in the docs"). A reader who copies the
 * examples one after another gets what the document shows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesOf, outputMismatch } from './blocks';
import { ROOT, startDocStack, type DocStack } from './runner';

const ALL = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
// DOCS_ONLY=docs/api.md (comma-separated paths) runs only those documents, while writing one.
const DOCS = process.env.DOCS_ONLY === undefined ? ALL : process.env.DOCS_ONLY.split(',');

for (const doc of DOCS) {
  const examples = examplesOf(readFileSync(join(ROOT, doc), 'utf8'));
  if (examples.length === 0) continue;
  describe(doc, () => {
    let stack: DocStack;
    let broken: string | undefined;
    beforeAll(async () => {
      stack = await startDocStack(doc);
    });
    afterAll(async () => {
      await stack?.close();
    });
    for (const example of examples) {
      const what = example.kind === 'sh-parse' ? 'parses' : `runs${example.output === undefined ? '' : ' and prints what it shows'}`;
      it(`${doc}:${example.line} ${example.kind} ${what}`, async () => {
        // Later examples build on earlier ones: after a failure they would only fail for its sake.
        if (broken !== undefined) expect.fail(`not run: ${broken} failed first`);
        try {
          const result = await stack.run(example);
          expect(result.code, `exit code ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`).toBe(0);
          // An error answer is part of an example only when the example names its code (handles it, or shows it in its output).
          const unexpected = (result.errors ?? []).filter((code) => !`${example.code}\n${example.output?.text ?? ''}`.includes(code));
          expect(unexpected, `the API answered errors the example does not show\n--- stdout\n${result.stdout}`).toEqual([]);
          if (example.output !== undefined) {
            const mismatch = outputMismatch(example.output, result.stdout);
            expect(mismatch, `output differs from ${doc}:${example.output.line}`).toBeUndefined();
          }
        } catch (err) {
          broken = `${doc}:${example.line}`;
          throw err;
        }
      }, 120_000);
    }
  });
}
