#!/usr/bin/env node
// The `samsa` command in this repository. Runs the TypeScript CLI through tsx's loader, so
// `npx samsa …` works in the project and after `npm link` with no build step; the published
// @samsa/cli runs a bundle of the same cli/bin.ts with plain node (scripts/build-packages.ts).
// tsx resolves from this file's real path (the project's node_modules), wherever it is invoked from.
import { register } from 'tsx/esm/api';

register();
await import('./bin.ts');
