// `npm run package`: builds the production bundles and packs py-contexts-<version>.vsix
// with @vscode/vsce. Which files go in is decided by .vscodeignore, an allow-list.
//
// Options:
//   --out <file>        where to write the .vsix (default: py-contexts-<version>.vsix in the repo)
//   --no-build          package dist/ as it is (scripts/integration.mjs uses this)
//   --allow-incomplete  package even when the bundle or the addon is missing (harness tests only)
//
// vsce works offline here: --no-dependencies stops it from running `npm list` (the bundle has
// no runtime dependencies), and --allow-missing-repository plus --skip-license avoid its
// interactive prompts when the manifest has no repository or the repo no LICENSE file.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const argv = process.argv.slice(2);
const outIndex = argv.indexOf('--out');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = outIndex >= 0 ? resolve(argv[outIndex + 1]) : join(root, `${pkg.name}-${pkg.version}.vsix`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!argv.includes('--no-build')) run(process.execPath, [join(root, 'scripts/build.mjs'), '--production']);

const required = [pkg.main ?? 'dist/extension.js', 'native/build/Release/py_contexts_loader.node', 'native/build/Release/cores.json', 'README.md']
  .map((p) => p.replace(/^\.\//, ''));
const missing = required.filter((p) => !existsSync(join(root, p)));
if (missing.length && !argv.includes('--allow-incomplete')) {
  console.error(`[package] missing ${missing.join(', ')}: build the extension (npm run build) and the addon ` +
    '(npm install runs node-gyp) first.');
  process.exit(1);
}

const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
// The README links to files of this repository (DEVELOPERS.md, media/*.png). Without a
// public repository URL vsce cannot make them absolute, so they stay relative: they work
// in the repository and in the packaged README's own folder.
const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out];
if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(root, f)))) args.push('--skip-license');
if (!existsSync(join(root, 'README.md'))) {
  // vsce refuses to package without a README; only reachable with --allow-incomplete.
  args.push('--readme-path', join(root, 'package.json'));
}
run(process.execPath, args);
console.log(`[package] ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
