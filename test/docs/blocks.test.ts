/**
 * The docs' example convention (test/docs/blocks.ts): which blocks run, which
 * output belongs to which example, and that an output check is strict where
 * it must be (keys, types, lengths, codes, line counts) and loose only where
 * values are volatile.
 */
import { describe, expect, it } from 'vitest';
import { examplesOf, outputMismatch, parseJsonStream } from './blocks';

const doc = [
  '# Title',
  '```sh',
  'echo one',
  '```',
  'text',
  '```json output',
  '{"a":1}',
  '```',
  '```sh no-run',
  'npx cdk deploy',
  '```',
  '```ts',
  "import { Samsa } from '@samsa/client';",
  '```',
  '```ts',
  'const notAnExample = 1;',
  '```',
  '```js',
  'console.log(1)',
  '```',
  '```text',
  'not an output: no flag',
  '```',
].join('\n');

describe('examplesOf', () => {
  it('finds sh, sh no-run and @samsa/client ts blocks in order, each with the output block after it', () => {
    const examples = examplesOf(doc);
    expect(examples.map((e) => [e.kind, e.line])).toEqual([
      ['sh', 2],
      ['sh-parse', 9],
      ['ts', 12],
    ]);
    expect(examples[0]!.code).toBe('echo one');
    expect(examples[0]!.output).toEqual({ lang: 'json', text: '{"a":1}', line: 6 });
    expect(examples[1]!.output).toBeUndefined();
  });

  it('refuses an output block that follows no example, or a second one', () => {
    expect(() => examplesOf('```json output\n{}\n```')).toThrow(/must directly follow/);
    expect(() => examplesOf('```sh\necho\n```\n```text output\n\n```\n```text output\n\n```')).toThrow(/must directly follow/);
    expect(() => examplesOf('```js\nx\n```\n```text output\n\n```')).toThrow(/must directly follow/);
  });
});

describe('outputMismatch', () => {
  const json = (text: string) => ({ lang: 'json', text });

  it('JSON: values may differ, shape may not', () => {
    const expected = json('{"partition":1,"offset":0,"topicId":"8d1e…","ok":true,"records":[{"x":1}]}\n[1,2]');
    expect(outputMismatch(expected, '{"offset":7,"partition":2,"topicId":"other","ok":true,"records":[{"x":9}]}\n[3, 4]\n')).toBeUndefined();
    expect(outputMismatch(expected, '{"partition":1,"offset":0,"topicId":"a","ok":true,"records":[{"x":1}]}')).toMatch(/expected 2 JSON values/);
    expect(outputMismatch(expected, '{"partition":1,"offset":"0","topicId":"a","ok":true,"records":[{"x":1}]}[1,2]')).toMatch(/\.offset: expected number/);
    expect(outputMismatch(expected, '{"partition":1,"offset":0,"topicId":"a","ok":true,"records":[]}[1,2]')).toMatch(/records: expected 1 elements/);
    expect(outputMismatch(expected, '{"partition":1,"offset":0,"topicId":"a","ok":true,"records":[{"x":1}],"more":1}[1,2]')).toMatch(/expected keys/);
    expect(outputMismatch(expected, '{"partition":1,"offset":0,"topicId":"a","ok":false,"records":[{"x":1}]}[1,2]')).toMatch(/\.ok: expected true/);
    expect(outputMismatch(expected, 'not json')).toMatch(/not JSON/);
  });

  it('JSON: error codes and value types must be equal', () => {
    const expected = json('{"code":"OFFSET_MISMATCH","type":"JSON","message":"Anything."}');
    expect(outputMismatch(expected, '{"code":"OFFSET_MISMATCH","type":"JSON","message":"Other words."}')).toBeUndefined();
    expect(outputMismatch(expected, '{"code":"UNKNOWN_TOPIC_OR_PARTITION","type":"JSON","message":"x"}')).toMatch(/\.code: expected "OFFSET_MISMATCH"/);
    expect(outputMismatch(expected, '{"code":"OFFSET_MISMATCH","type":"STRING","message":"x"}')).toMatch(/\.type/);
  });

  it('text: digits and … are wildcards, everything else and the line count must match', () => {
    const expected = { lang: 'text', text: "\nCreated topic 'orders-123' with 3 partitions.\nRevoked …\n" };
    expect(outputMismatch(expected, "Created topic 'orders-98765' with 12 partitions.\nRevoked API key abc of 'alice'.\n")).toBeUndefined();
    expect(outputMismatch(expected, "Created topic 'orders-1' with 3 partitions.\n")).toMatch(/expected 2 lines/);
    expect(outputMismatch(expected, "Created topic 'payments-1' with 3 partitions.\nRevoked x")).toMatch(/line 1/);
    expect(outputMismatch({ lang: 'text', text: 'a.b' }, 'axb')).toMatch(/line 1/); // regex characters are literal
  });

  it('parses a stream of JSON values, pretty-printed or not', () => {
    expect(parseJsonStream('{"a":"}"}\n[1,\n 2]  "s\\"" 3 true null')).toEqual([{ a: '}' }, [1, 2], 's"', 3, true, null]);
  });
});
