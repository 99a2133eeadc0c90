/**
 * Every relative link in README.md and docs/*.md leads somewhere: the file
 * exists and, for a `#fragment` into a Markdown file, a heading makes that
 * anchor (GitHub's rule: lower case, punctuation dropped, spaces to hyphens).
 * A doc that moves or renames a section breaks the links into it here, not
 * in a reader's browser.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './runner';

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The anchors of a Markdown file's headings, outside code blocks. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inCode = !inCode;
    if (inCode) continue;
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (heading === null) continue;
    const slug = heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
    // A repeated heading gets -1, -2, … as on GitHub.
    let anchor = slug;
    for (let n = 1; out.has(anchor); n++) anchor = `${slug}-${n}`;
    out.add(anchor);
  }
  return out;
}

/** Relative links of a Markdown file, outside code blocks. */
function links(markdown: string): string[] {
  const found: string[] = [];
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inCode = !inCode;
    if (inCode) continue;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/i.test(m[1]!)) found.push(m[1]!);
    }
  }
  return found;
}

describe('links in the docs', () => {
  it.each(DOCS)('%s: every relative link has its file and anchor', (doc) => {
    const broken: string[] = [];
    for (const link of links(readFileSync(join(ROOT, doc), 'utf8'))) {
      const [path, fragment] = link.split('#') as [string, string | undefined];
      const target = path === '' ? join(ROOT, doc) : normalize(join(ROOT, dirname(doc), path));
      if (!existsSync(target)) {
        broken.push(`${link} (no ${relative(ROOT, target)})`);
      } else if (fragment !== undefined && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(fragment)) {
        broken.push(`${link} (no heading makes #${fragment})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
