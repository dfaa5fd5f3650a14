#!/usr/bin/env node
// Runs the TypeScript CLI directly (Node >= 24 strips types); `npx analyze` uses the project's Node 24.
await import('../src/cli/analyze.ts');
