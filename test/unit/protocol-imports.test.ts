/**
 * lib/protocol is the one wire contract: the server, the SDK, the CLI and the
 * console import it, and it imports nothing of theirs. Its zod schema files
 * may import zod; everything else in it is dependency-free, and those are the
 * only protocol files the SDK and the console may import, so the SDK's
 * published types need no zod. Imports are read with TypeScript's own
 * pre-processor (type-only and dynamic imports included), not run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const PROTOCOL = 'lib/protocol';
/** The only packages a protocol file may import, and only from a schema file. */
const ALLOWED_PACKAGES = new Set(['zod/mini', 'zod/v4/core']);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const file = `${dir}/${name}`;
    if (statSync(join(ROOT, file)).isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
  });
}

/** Every module specifier of a file: static, type-only, re-exports and `import()`. */
function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** A relative specifier as a repository path (`lib/protocol/errors.ts`), or undefined for a package. */
function resolved(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = relative(ROOT, resolve(ROOT, dirname(from), spec));
  const found = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((f) => existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
  if (found === undefined) throw new Error(`${from}: cannot resolve '${spec}'`);
  return found;
}

const protocolFiles = sourceFiles(PROTOCOL);

/** Protocol files that import only other protocol files, and no package, directly or through them. */
const dependencyFree = (() => {
  const memo = new Map<string, boolean>();
  const free = (file: string): boolean => {
    if (!memo.has(file)) {
      memo.set(file, true); // a cycle adds nothing
      memo.set(file, specifiers(file).every((spec) => {
        const target = resolved(file, spec);
        return target !== undefined && target.startsWith(`${PROTOCOL}/`) && free(target);
      }));
    }
    return memo.get(file)!;
  };
  return new Set(protocolFiles.filter(free));
})();

/**
 * Imports of the files under `dir` that go elsewhere than `allowedDirs`, a
 * dependency-free protocol file or an allowed package, as `file → spec`.
 */
function importsBeyondContract(dir: string, allowedDirs: string[], allowedPackage: (spec: string) => boolean): string[] {
  const bad: string[] = [];
  for (const file of sourceFiles(dir)) {
    for (const spec of specifiers(file)) {
      const target = resolved(file, spec);
      if (target === undefined) {
        if (!allowedPackage(spec)) bad.push(`${file} → ${spec}`);
      } else if (!allowedDirs.some((d) => target.startsWith(`${d}/`)) && !dependencyFree.has(target)) {
        bad.push(`${file} → ${spec}`);
      }
    }
  }
  return bad;
}

describe('the wire contract (lib/protocol)', () => {
  it('imports nothing outside lib/protocol but zod', () => {
    const bad = protocolFiles.flatMap((file) =>
      specifiers(file)
        .filter((spec) => {
          const target = resolved(file, spec);
          return target === undefined ? !ALLOWED_PACKAGES.has(spec) : !target.startsWith(`${PROTOCOL}/`);
        })
        .map((spec) => `${file} → ${spec}`),
    );
    expect(bad).toEqual([]);
  });

  it('has dependency-free files for the SDK: errors, routes, murmur2, ACL words, data, requests and responses', () => {
    for (const name of ['errors', 'routes', 'murmur2', 'acl', 'data', 'requests', 'responses']) {
      expect(dependencyFree.has(`${PROTOCOL}/${name}.ts`), name).toBe(true);
    }
    // The schema files are what the server validates with; none of them is dependency-free.
    expect(dependencyFree.has(`${PROTOCOL}/groups.ts`)).toBe(false);
  });

  it('is the only server code the SDK imports, and only its dependency-free files', () => {
    // Packages: only Node built-ins (the KafkaJS facade's Buffer), never a runtime dependency.
    expect(importsBeyondContract('client', ['client'], (spec) => spec.startsWith('node:'))).toEqual([]);
  });

  it('reaches the console only through the SDK and dependency-free protocol files', () => {
    expect(importsBeyondContract('console/src', ['console/src', 'client'], (spec) => spec === 'preact' || spec.startsWith('preact/'))).toEqual([]);
  });
});
