// The Python interpreters the engine is built for and tested against.
//
// Debian 12 packages only CPython 3.11, so 3.13 and the free-threaded 3.13t are built here
// from Debian trixie's *source* package (the upstream tarball inside it), with
// `--enable-shared`, into the cache (`~/.cache/py-contexts/pythons/<tag>`). A build is
// redone only when its marker is missing or names other versions; each takes about five
// minutes on two cores.
//
// CLI:
//   node scripts/pythons.mjs            ensure every build, then print the matrix as JSON
//   node scripts/pythons.mjs --list     print the matrix of what exists now (builds nothing)
//   node scripts/pythons.mjs --only cp313t
// Module: `ensurePythons()`, `matrix()`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const SOURCE_PACKAGE = 'python3.13';
/** Builds from the source package. `layout` is bumped when the configure line changes. */
export const BUILDS = [
  { tag: 'cp313', configure: [], layout: 1 },
  { tag: 'cp313t', configure: ['--disable-gil'], layout: 1 },
];
/** What `configure` needs, from bookworm. */
export const BUILD_DEPS = [
  'build-essential', 'xz-utils', 'libssl-dev', 'zlib1g-dev', 'libffi-dev', 'libbz2-dev', 'liblzma-dev',
  'libsqlite3-dev', 'libreadline-dev', 'libncurses-dev', 'uuid-dev', 'libgdbm-dev', 'dpkg-dev',
];
const TRIXIE_SOURCES = '/etc/apt/sources.list.d/py-contexts-trixie-src.sources';

export function cacheDir() {
  return process.env.PY_CONTEXTS_CACHE ?? join(homedir(), '.cache', 'py-contexts');
}

export function pythonsDir(cache = cacheDir()) {
  return join(cache, 'pythons');
}

function log(msg) {
  process.stderr.write(`[pythons] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', opts.quiet ? 'ignore' : 2, 'inherit'], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function missingDebs(names) {
  return names.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return !(r.stdout ?? '').includes('install ok installed');
  });
}

function aptEnv() {
  return { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
}

/** The build dependencies and a `deb-src` entry for trixie (only source packages are used from it). */
function ensureAptSetup() {
  const missing = missingDebs(BUILD_DEPS);
  const needSources = !existsSync(TRIXIE_SOURCES);
  if (missing.length === 0 && !needSources) return;
  if (!isRoot()) {
    throw new Error(`building Python ${SOURCE_PACKAGE} needs, as root:\n` +
      (needSources ? `  printf 'Types: deb-src\\nURIs: http://deb.debian.org/debian\\nSuites: trixie\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n' > ${TRIXIE_SOURCES}\n` : '') +
      `  apt-get update && apt-get install -y ${missing.join(' ')}`);
  }
  if (needSources) {
    writeFileSync(TRIXIE_SOURCES, [
      '# Added by py-contexts (scripts/pythons.mjs): source packages only, to build CPython 3.13 for tests.',
      'Types: deb-src',
      'URIs: http://deb.debian.org/debian',
      'Suites: trixie',
      'Components: main',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      '',
    ].join('\n'));
  }
  run('apt-get', ['update', '-qq'], { env: aptEnv() });
  if (missing.length) run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env: aptEnv() });
}

/** Downloads the source package once; returns the path of the upstream tarball. */
function ensureSource(cache) {
  const dir = join(cache, 'pythons', 'src');
  mkdirSync(dir, { recursive: true });
  const find = () => readdirSync(dir).find((f) => /^python3\.13_.*\.orig\.tar\.xz$/.test(f));
  if (!find()) {
    // `_apt` cannot write into root's home; download as root is fine with this flag.
    run('apt-get', ['source', '--download-only', '-qq', SOURCE_PACKAGE], { cwd: dir, env: aptEnv() });
  }
  const tarball = find();
  if (!tarball) throw new Error(`apt-get source ${SOURCE_PACKAGE} left no .orig.tar.xz in ${dir}`);
  return join(dir, tarball);
}

function markerOf(build, tarball) {
  return JSON.stringify({ tag: build.tag, tarball: tarball.split('/').pop(), configure: build.configure, layout: build.layout });
}

export function buildPrefix(tag, cache = cacheDir()) {
  return join(pythonsDir(cache), tag);
}

function executableIn(prefix) {
  const bin = join(prefix, 'bin');
  if (!existsSync(bin)) return undefined;
  // python3.13 or python3.13t: the versioned name is the real file.
  // A free-threaded install also has a plain `python3.13`; its own name ends in t.
  const names = readdirSync(bin).filter((f) => /^python3\.\d+t?$/.test(f)).sort((a, b) => Number(b.endsWith('t')) - Number(a.endsWith('t')));
  const name = names[0];
  return name ? join(bin, name) : undefined;
}

function buildOne(build, tarball, cache) {
  const prefix = buildPrefix(build.tag, cache);
  const marker = join(prefix, '.py-contexts-build.json');
  const want = markerOf(build, tarball);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want && executableIn(prefix)) return;
  const work = join(pythonsDir(cache), `work-${build.tag}`);
  rmSync(work, { recursive: true, force: true });
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = Date.now();
  run('tar', ['-xJf', tarball, '-C', work, '--strip-components=1']);
  // No rpath: the engine finds libpython from sysconfig and dlopens it itself, and the
  // executable finds its own library through $ORIGIN, so the prefix can move.
  run('./configure', ['-q', '--enable-shared', `--prefix=${prefix}`, '--without-ensurepip', ...build.configure,
    'LDFLAGS=-Wl,-rpath,\\$$ORIGIN/../lib'], { cwd: work });
  run('make', ['-s', `-j${Math.max(2, Number(process.env.PY_CONTEXTS_JOBS) || 2)}`], { cwd: work, quiet: true });
  run('make', ['-s', 'altinstall'], { cwd: work, quiet: true });
  writeFileSync(marker, want);
  rmSync(work, { recursive: true, force: true });
  log(`${build.tag} built in ${Math.round((Date.now() - started) / 1000)} s at ${prefix}`);
}

/** Builds whatever is missing. `only` limits it to some tags. */
export function ensurePythons({ only } = {}) {
  const cache = cacheDir();
  const builds = BUILDS.filter((b) => !only || only.includes(b.tag));
  const pending = builds.filter((b) => {
    const prefix = buildPrefix(b.tag, cache);
    return !(existsSync(join(prefix, '.py-contexts-build.json')) && executableIn(prefix));
  });
  if (pending.length) {
    ensureAptSetup();
    const tarball = ensureSource(cache);
    for (const b of builds) buildOne(b, tarball, cache);
  }
  return matrix();
}

/** pyenv's series the matrix takes (every patch version found of each). */
export const PYENV_SERIES = ['3.10', '3.11', '3.12'];

function pyenvVersions() {
  const versions = join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions');
  return existsSync(versions) ? readdirSync(versions).sort().map((v) => ({ v, exe: join(versions, v, 'bin', 'python3') })) : [];
}

/**
 * The legs of the matrix this machine cannot run, with why: a test run prints them as not run
 * rather than leaving them out silently.
 */
export function absentLegs() {
  const out = [];
  if (!existsSync('/usr/bin/python3')) out.push({ name: 'debian-3.11', reason: 'no /usr/bin/python3' });
  const found = pyenvVersions().filter((p) => existsSync(p.exe));
  for (const series of PYENV_SERIES) {
    if (!found.some((p) => p.v.startsWith(`${series}.`))) {
      out.push({ name: `pyenv-${series}`, reason: `no pyenv ${series}.x with bin/python3 in ${join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions')}` });
    }
  }
  for (const b of BUILDS) {
    if (!executableIn(buildPrefix(b.tag))) out.push({ name: b.tag === 'cp313t' ? '3.13t' : '3.13', reason: `not built (node scripts/pythons.mjs)` });
  }
  return out;
}

/**
 * Every interpreter of the test matrix that exists on this machine: Debian's 3.11, pyenv's
 * 3.10, 3.11 (another installation at another prefix) and 3.12, and the cached 3.13 builds.
 */
export function matrix() {
  const out = [];
  if (existsSync('/usr/bin/python3')) out.push({ name: 'debian-3.11', tag: 'cp311', executable: '/usr/bin/python3' });
  // 3.11 is another installation of the default ABI; 3.10 and 3.12 are ABIs of their own,
  // whose headers only pyenv has here (no Debian suite packages them).
  for (const { v, exe } of pyenvVersions()) {
    const series = PYENV_SERIES.find((s) => new RegExp(`^${s.replace('.', '\\.')}\\.\\d+$`).test(v));
    if (series && existsSync(exe)) out.push({ name: `pyenv-${v}`, tag: `cp${series.replace('.', '')}`, executable: exe });
  }
  for (const b of BUILDS) {
    const exe = executableIn(buildPrefix(b.tag));
    if (exe && existsSync(join(buildPrefix(b.tag), '.py-contexts-build.json'))) {
      out.push({ name: b.tag === 'cp313t' ? '3.13t' : '3.13', tag: b.tag, executable: exe });
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1]?.split(',') : undefined;
  try {
    const result = args.includes('--list') ? matrix() : ensurePythons({ only });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
