// Builds everything JavaScript: the two bundles VS Code and Node load, their type
// declarations, and a plain transpile of every test so mocha can run them from out/.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const production = process.argv.includes('--production');

function walk(dir, pred, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

const common = {
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

// The two shipped bundles. `vscode` is provided by the host; the `.node` addon is
// loaded at run time by src/engine/binding.ts and never bundled.
const entries = [{ in: 'src/core.ts', out: 'core' }];
if (existsSync(join(root, 'src/extension.ts'))) entries.push({ in: 'src/extension.ts', out: 'extension' });
await esbuild.build({
  ...common,
  entryPoints: entries,
  bundle: true,
  outdir: 'dist',
  external: ['vscode', '*.node'],
  minify: production,
});

// The data viewer's webview (a browser page): the grid library and our script in one file,
// its CSS beside it (dist/webview/dataViewer.{js,css}; .vscodeignore lets both through).
await esbuild.build({
  absWorkingDir: root,
  entryPoints: { dataViewer: 'src/surfaces/dataViewer/webview/main.ts' },
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  outdir: 'dist/webview',
  minify: true,
  sourcemap: !production,
  logLevel: 'warning',
});

// Tests and everything they import, transpiled file by file (no bundling) into out/.
const sources = [
  ...walk(join(root, 'src'), (p) => p.endsWith('.ts') && !p.endsWith('.d.ts') && !p.includes('/webview/')),
  ...walk(join(root, 'test'), (p) => p.endsWith('.ts') && !p.endsWith('.d.ts')),
].map((p) => relative(root, p));
await esbuild.build({ ...common, entryPoints: sources, outdir: 'out', outbase: '.', bundle: false });

// Type declarations for dist/core.js, so plain Node users get types.
mkdirSync(join(root, 'dist'), { recursive: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.core.json'],
  { cwd: root, stdio: 'inherit' },
);
writeFileSync(join(root, 'dist/core.d.ts'), "export * from './types/core';\n");
