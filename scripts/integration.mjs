// `npm run test:integration`: runs test/integration/**/*.integration.test.ts inside a real
// VS Code extension host. It builds nothing (npm test builds first); it needs out/.
//
// Sessions (each a fresh VS Code with a fresh copy of test/fixtures/workspace/):
//   main       extension under development, trusted workspace: out/test/integration/*.js
//   untrusted  same, but workspace trust enabled and the folder not trusted (restricted mode):
//              out/test/integration/untrusted/*.js
//   vsix       `npm run package` output installed into an empty extensions dir; the extension
//              under development is only a stub that carries the test runner:
//              out/test/integration/vsix/*.js
//   pythonext  extension under development plus a STAND-IN for the Python extension
//              (test/fixtures/python-extension-standin, id ms-python.python), packed and installed
//              into the session's extensions dir; it selects a cached 3.13t (else 3.13, else
//              /usr/bin/python3), so the engine must start with that rather than python3 on PATH:
//              out/test/integration/pythonext/*.js
//   venv       extension under development with pyContexts.pythonPath set to a venv made for the
//              session (from PY_CONTEXTS_PYTHON, else /usr/bin/python3, without pip and without the
//              system site-packages), holding a package of its own: out/test/integration/venv/*.js
//   oldest     the key user paths of main (OLDEST_PATHS below: the tree, run selection, notebook
//              cells, cleanup on close) on the code-server carrying the oldest VS Code that
//              engines.vscode allows (OLDEST in vscode-tools.mjs), so that claim is tested in
//              every run; --grep replaces its selection
// A session without test files is not started, except main and oldest.
//
// Backends (PY_CONTEXTS_VSCODE):
//   code-server  default here: code-server under Node 24, driven by headless chromium
//   electron     desktop VS Code downloaded by @vscode/test-electron (needs internet, a display
//                or Xvfb)
//   adapter      @vscode/test-electron's runTests() with vscodeExecutablePath set to
//                scripts/code-server-adapter.mjs: the test-electron code path, run on code-server
//   both         code-server, then electron
//   (unset)      code-server, plus electron when update.code.visualstudio.com resolves
//
// Options: --session <name>[,<name>] (or PY_CONTEXTS_SESSIONS), --grep <re> (PY_CONTEXTS_GREP),
// --keep (keep temp dirs), --verbose (show code-server's own log),
// --vscode newest|oldest|both (PY_CONTEXTS_VSCODE_RANGE; default newest): which code-server
//   runs the code-server backend: the newest (VERSIONS in vscode-tools.mjs) and/or the one
//   carrying the oldest VS Code that package.json's engines.vscode allows (OLDEST there).
// Environment: PY_CONTEXTS_INTEGRATION_TIMEOUT (seconds, whole run, default 900).
import { spawn, spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { installVsix, runTestsInBrowser, shortTempDir, startCodeServer, USER_SETTINGS } from './code-server-session.mjs';
import { OLDEST, ensureOldestTools, ensureTools } from './vscode-tools.mjs';
import { matrix as pythonMatrix } from './pythons.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const require = createRequire(import.meta.url);
const started = Date.now();
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const verbose = argv.includes('--verbose');
const keep = argv.includes('--keep') || process.env.PY_CONTEXTS_KEEP === '1';
const timeoutMs = Number(process.env.PY_CONTEXTS_INTEGRATION_TIMEOUT ?? 900) * 1000;
const grep = opt('--grep') ?? process.env.PY_CONTEXTS_GREP;
const vscodeRange = opt('--vscode') ?? process.env.PY_CONTEXTS_VSCODE_RANGE ?? 'newest';
if (!['newest', 'oldest', 'both'].includes(vscodeRange)) {
  console.error(`[integration] --vscode must be newest, oldest or both, not ${vscodeRange}`);
  process.exit(2);
}
const wantedSessions = (opt('--session') ?? process.env.PY_CONTEXTS_SESSIONS ?? '').split(',').filter(Boolean);

const testsOut = join(root, 'out/test/integration');
const runnerPath = join(testsOut, 'index.js');
const artifacts = join(root, 'test-artifacts');
const screenshotsDir = join(artifacts, 'screenshots');
const logsDir = join(artifacts, 'logs');
const fixtureWorkspace = join(root, 'test/fixtures/workspace');

const SESSIONS = [
  { name: 'main', dir: testsOut, trust: true },
  { name: 'untrusted', dir: join(testsOut, 'untrusted'), trust: false },
  { name: 'vsix', dir: join(testsOut, 'vsix'), trust: true, vsix: true },
  { name: 'pythonext', dir: join(testsOut, 'pythonext'), trust: true, standin: true },
  // Its test reloads the window halfway and runs again after it (issue 12: state that survives a reload).
  { name: 'reload', dir: join(testsOut, 'reload'), trust: true },
  { name: 'venv', dir: join(testsOut, 'venv'), trust: true, venv: true },
  { name: 'oldest', dir: testsOut, folder: 'main', trust: true, oldest: true },
];

/**
 * What the oldest session runs of main's tests (mocha --grep, matched against "describe it"):
 * the key user paths, kept to a few minutes. Each alternative must match a test (the run fails
 * when fewer tests pass than there are entries); main's own run covers the rest on the newest.
 */
const OLDEST_PATHS = [
  // The second activation test runs in the editor the first one opened.
  'activation activates on a Python file without starting Python',
  'activation starts Python on the first run',
  'Context Pool tree lists the configured pools',
  'Context Pool tree shows a document under its context after it runs',
  'run selection runs the current line and shows the value inline',
  'run selection reports a traceback at the real file line',
  'run selection runs `# %%` cells',
  'notebook controller runs all cells in order',
  'notebook controller saves an .ipynb',
  'notebook controller frees the environment when the notebook closes',
  'documents and their processes closes the process of a file when its editor closes',
  'documents and their processes closes the process of an untitled document',
];

/**
 * A venv for the venv session, with a package only it has (`venv_only_pkg`), so a test can
 * tell that the engine honours the venv's site-packages. Returns the venv's python.
 */
function makeVenv(tmp) {
  const base = process.env.PY_CONTEXTS_PYTHON || '/usr/bin/python3';
  const dir = join(tmp, 'venv');
  const made = spawnSync(base, ['-m', 'venv', '--without-pip', dir], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`${base} -m venv failed: ${made.stderr}`);
  const python = join(dir, 'bin', 'python3');
  const purelib = spawnSync(python, ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'], { encoding: 'utf8' }).stdout.trim();
  mkdirSync(join(purelib, 'venv_only_pkg'), { recursive: true });
  writeFileSync(join(purelib, 'venv_only_pkg', '__init__.py'), 'WHERE = __file__\n');
  return python;
}
const standinDir = join(root, 'test/fixtures/python-extension-standin');
// A second, test-only extension that registers a host function through our API (issue 10); it is
// installed into the main session (a payload carries only one extensionDevelopmentPath).
const hostFunctionFixtureDir = join(root, 'test/fixtures/host-function-extension');

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function say(msg) {
  console.log(`[integration] ${msg}`);
}

function hasTests(dir) {
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.integration.test.js'));
}

function remaining() {
  return Math.max(10_000, timeoutMs - (Date.now() - started));
}

async function chooseBackends() {
  const b = process.env.PY_CONTEXTS_VSCODE;
  if (b === 'both') return ['code-server', 'electron'];
  if (b) return [b];
  try {
    await Promise.race([
      lookup('update.code.visualstudio.com'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('dns timeout')), 3000)),
    ]);
    say('update.code.visualstudio.com resolves: desktop VS Code (electron) runs after code-server');
    return ['code-server', 'electron'];
  } catch {
    return ['code-server'];
  }
}

/** Per-session scratch: a workspace copy, user data, extensions, and the stub runner extension. */
function prepareSession(tmp, session, vsixPath) {
  const workspace = join(tmp, 'workspace');
  cpSync(fixtureWorkspace, workspace, { recursive: true });
  const userDataDir = join(tmp, 'user');
  const extensionsDir = join(tmp, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  let devPath = root;
  if (session.vsix) {
    // The installed extension must be the only copy of py-contexts, so the "extension under
    // development" that carries the test runner is a stub with another id.
    devPath = join(tmp, 'runner-stub');
    mkdirSync(devPath, { recursive: true });
    writeFileSync(join(devPath, 'package.json'), JSON.stringify({
      name: 'py-contexts-vsix-test-runner', publisher: 'py-contexts-tests', version: '0.0.0',
      engines: { vscode: require(join(root, 'package.json')).engines.vscode },
    }, null, 2));
  }
  const env = {
    // The test folder to run: the vsix sessions (one per interpreter) all run vsix/.
    PY_CONTEXTS_SESSION: session.folder ?? session.name,
    PY_CONTEXTS_REPO: root,
    ...(vsixPath ? { PY_CONTEXTS_VSIX: vsixPath, PY_CONTEXTS_BUILD_TREE: vsixBuildTree } : {}),
    ...(session.python ? { PY_CONTEXTS_EXPECT_PYTHON: session.python } : {}),
    ...(grep || session.oldest ? { PY_CONTEXTS_GREP: grep ?? OLDEST_PATHS.map(escapeRegExp).join('|') } : {}),
    ...(session.standin ? standinSelection() : {}),
  };
  return { workspace, userDataDir, extensionsDir, devPath, env };
}

/**
 * The vsix sessions: one per interpreter of the matrix (Debian's and pyenv's 3.11, 3.13, 3.13t),
 * each chosen through the machine-scoped pyContexts.pythonPath setting, because an extension
 * host can load only one libpython.
 */
function vsixSessions(session) {
  return pythonMatrix().map((m) => ({ ...session, name: `vsix-${m.name}`, folder: 'vsix', python: m.executable }));
}

/** Where the .vsix was built; deleted right after packaging, so nothing can use it later. */
let vsixBuildTree = '';

/**
 * What the Python extension stand-in selects first (PY_CONTEXTS_STANDIN_PYTHON), and another
 * interpreter the tests switch to (PY_CONTEXTS_STANDIN_OTHER). The first must not be python3 on
 * PATH, or the test could not tell the stand-in's choice from the engine's default.
 */
function standinSelection() {
  const all = pythonMatrix();
  const first = ['3.13t', '3.13', 'debian-3.11'].map((n) => all.find((p) => p.name === n)).find(Boolean);
  if (!first) throw new Error('no interpreter for the Python extension stand-in: run node scripts/pythons.mjs');
  const other = all.find((p) => p.executable !== first.executable);
  say(`python extension stand-in selects ${first.executable}${other ? `, then ${other.executable}` : ''}`);
  return { PY_CONTEXTS_STANDIN_PYTHON: first.executable, ...(other ? { PY_CONTEXTS_STANDIN_OTHER: other.executable } : {}) };
}

const packed = new Map();
/** Packs a test-only extension once per run (vsce, offline) so it can be installed like any extension. */
function packFixture(dir, name) {
  if (packed.has(dir)) return packed.get(dir);
  const out = join(artifacts, `${name}.vsix`);
  const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license',
    '--out', out], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packing ${name} failed:\n${r.stdout}${r.stderr}`);
  packed.set(dir, out);
  return out;
}
const packStandin = () => packFixture(standinDir, 'python-extension-standin');

/**
 * Packs the .vsix from a copy of the build output in a scratch folder (another path than the
 * repository), then deletes that folder: the installed extension must work with its build tree
 * gone, and the vsix tests check that nothing under the repository is loaded either.
 */
function packageVsix() {
  const out = join(artifacts, 'py-contexts-test.vsix');
  say('packaging the extension for the vsix sessions from a build tree that is deleted afterwards');
  const stage = shortTempDir('pyc-build-');
  vsixBuildTree = stage;
  for (const p of ['package.json', 'README.md', 'LICENSE', '.vscodeignore', 'dist', 'python', 'media', 'native/build/Release']) {
    if (existsSync(join(root, p))) {
      cpSync(join(root, p), join(stage, p), { recursive: true, filter: (src) => !src.includes('/obj.target') && !src.endsWith('.pyc') });
    }
  }
  try {
    const r = spawnSync(process.execPath, [join(root, 'scripts/package.mjs'), '--no-build', '--from', stage, '--out', out], { stdio: 'inherit', cwd: stage });
    if (r.status !== 0) throw new Error('npm run package failed');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return out;
}

async function runCodeServerSession(session, tools, vsixPath) {
  const tmp = shortTempDir();
  const s = prepareSession(tmp, session, vsixPath);
  if (session.venv) session = { ...session, python: makeVenv(tmp) };
  if (vsixPath) say(installVsix({ vsix: vsixPath, extensionsDir: s.extensionsDir, userDataDir: s.userDataDir, tmp, tools }));
  if (session.standin) say(installVsix({ vsix: packStandin(), extensionsDir: s.extensionsDir, userDataDir: s.userDataDir, tmp, tools }));
  if (session.name === 'main') {
    say(installVsix({ vsix: packFixture(hostFunctionFixtureDir, 'host-function-fixture'), extensionsDir: s.extensionsDir, userDataDir: s.userDataDir, tmp, tools }));
  }
  // The oldest VS Code's screenshots go to a folder of their own: the README's come from the newest.
  const shots = session.oldest ? join(screenshotsDir, session.name) : screenshotsDir;
  mkdirSync(shots, { recursive: true });
  const server = await startCodeServer({
    tools, tmp, userDataDir: s.userDataDir, extensionsDir: s.extensionsDir, trust: session.trust,
    settings: { ...USER_SETTINGS, ...(session.python ? { 'pyContexts.pythonPath': session.python } : {}) },
    env: { ...s.env, PY_CONTEXTS_SCREENSHOTS: shots },
    logFile: join(logsDir, `code-server-${session.name}.log`), quiet: !verbose,
  });
  try {
    const url = server.url({ folder: s.workspace, extensionDevelopmentPaths: [s.devPath], extensionTestsPath: runnerPath });
    say(`session ${session.name}: ${url}`);
    return await runTestsInBrowser({
      url, tools, screenshotsDir: shots, timeoutMs: remaining(),
      browserLogFile: join(logsDir, `browser-${session.name}.log`),
    });
  } finally {
    await server.stop();
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  }
}

/** Starts Xvfb when desktop VS Code has no display to use; resolves to a cleanup function. */
async function ensureDisplay() {
  if (process.env.DISPLAY || !spawnSync('which', ['Xvfb']).stdout?.length) return () => {};
  const n = 90 + Math.floor(Math.random() * 100);
  const x = spawn('Xvfb', [`:${n}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { detached: true, stdio: 'ignore' });
  // Electron fails at once without a display, so wait for the X socket to appear.
  for (let i = 0; i < 50 && !existsSync(`/tmp/.X11-unix/X${n}`); i++) await new Promise((r) => setTimeout(r, 100));
  process.env.DISPLAY = `:${n}`;
  return () => {
    try {
      process.kill(-x.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
}

/**
 * The @vscode/test-electron path: runTests() for trusted sessions. runTests() always adds
 * --disable-workspace-trust, so the untrusted session spawns the same executable itself with
 * the same arguments minus that flag.
 */
async function runElectronSession(session, backend, vsixPath) {
  const te = require('@vscode/test-electron');
  const adapter = join(root, 'scripts/code-server-adapter.mjs');
  const executable = backend === 'adapter'
    ? adapter
    : await te.downloadAndUnzipVSCode({ version: process.env.PY_CONTEXTS_VSCODE_VERSION ?? 'stable' });
  const tmp = shortTempDir();
  const s = prepareSession(tmp, session, vsixPath);
  mkdirSync(join(s.userDataDir, 'User'), { recursive: true });
  writeFileSync(join(s.userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  for (const vsix of [vsixPath, session.standin ? packStandin() : undefined]) {
    if (!vsix) continue;
    if (backend === 'adapter') {
      say(installVsix({ vsix, extensionsDir: s.extensionsDir, userDataDir: s.userDataDir, tmp }));
    } else {
      const cli = te.resolveCliPathFromVSCodeExecutablePath(executable);
      const r = spawnSync(cli, ['--extensions-dir', s.extensionsDir, '--user-data-dir', s.userDataDir, '--force',
        '--install-extension', vsix], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`installing ${vsix} into desktop VS Code failed`);
    }
  }
  const launchArgs = [s.workspace, '--user-data-dir', s.userDataDir, '--extensions-dir', s.extensionsDir];
  const env = { ...s.env, ...(backend === 'adapter' ? { PY_CONTEXTS_SCREENSHOTS: screenshotsDir } : {}) };

  // Count the runner's summary lines as they pass through our stdout.
  let passed = 0;
  let failed = 0;
  let sawSummary = false;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => {
    for (const m of String(chunk).matchAll(/^(\d+) passed, (\d+) failed$/gm)) {
      passed += Number(m[1]);
      failed += Number(m[2]);
      sawSummary = true;
    }
    return write(chunk, ...rest);
  };
  let code;
  try {
    if (session.trust) {
      code = await te.runTests({
        vscodeExecutablePath: executable,
        extensionDevelopmentPath: s.devPath,
        extensionTestsPath: runnerPath,
        launchArgs,
        extensionTestsEnv: env,
      }).then(() => 0, (e) => (typeof e?.code === 'number' ? e.code : 1));
    } else {
      const args = [...launchArgs, '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome',
        '--skip-release-notes', `--extensionTestsPath=${runnerPath}`, `--extensionDevelopmentPath=${s.devPath}`];
      code = await new Promise((resolve) => {
        const p = spawn(executable, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        p.stdout.on('data', (d) => process.stdout.write(d));
        p.stderr.on('data', (d) => process.stderr.write(d));
        p.on('exit', (c) => resolve(c ?? 1));
      });
    }
  } finally {
    process.stdout.write = write;
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  }
  return { code, passed, failed, sawSummary };
}

async function main() {
  // A last resort above the per-session limits: nothing may hang CI forever.
  setTimeout(() => {
    console.error(`[integration] overall timeout of ${timeoutMs / 1000} s exceeded`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }, timeoutMs + 60_000).unref();
  if (!existsSync(runnerPath)) {
    console.error(`[integration] ${runnerPath} is missing: run \`npm run build\` first (npm test does).`);
    process.exit(1);
  }
  rmSync(screenshotsDir, { recursive: true, force: true });
  mkdirSync(screenshotsDir, { recursive: true });
  mkdirSync(logsDir, { recursive: true });

  // Until the extension is bundled there is nothing to package, so the vsix session only
  // runs once dist/extension.js exists (or when asked for by name).
  const built = existsSync(join(root, 'dist/extension.js'));
  const sessions = SESSIONS.filter((s) =>
    wantedSessions.length
      ? wantedSessions.some((w) => w === s.name || w.startsWith(`${s.name}-`))
      : s.name === 'main' || s.oldest || (hasTests(s.dir) && (!s.vsix || built)))
    .flatMap((s) => (s.vsix ? vsixSessions(s) : [s]))
    .filter((s) => !wantedSessions.length || !s.vsix || wantedSessions.some((w) => w === 'vsix' || w === s.name));
  if (!built && !wantedSessions.length) say('dist/extension.js is missing: the vsix session is not run');
  const backends = await chooseBackends();
  const needsCodeServer = backends.includes('code-server') || backends.includes('adapter');
  // One entry per code-server to run: the newest, the oldest VS Code we claim to support, or both.
  const oldestLabel = `code-server ${OLDEST.codeServer} (VS Code ${OLDEST.vscode})`;
  const codeServers = !needsCodeServer ? [] : [
    ...(vscodeRange !== 'oldest' ? [{ label: 'code-server', tools: ensureTools() }] : []),
    ...(vscodeRange !== 'newest' || sessions.some((s) => s.oldest) ? [{ label: oldestLabel, tools: ensureOldestTools() }] : []),
  ];
  const tools = codeServers.find((c) => c.label !== oldestLabel)?.tools ?? codeServers[0]?.tools;
  let vsixPath;
  let vsixError;
  if (sessions.some((s) => s.vsix)) {
    try {
      vsixPath = packageVsix();
    } catch (e) {
      vsixError = e;
    }
  }

  let passed = 0;
  let failed = 0;
  let ok = true;
  let stopDisplay = () => {};
  const runs = backends.flatMap((backend) =>
    backend === 'code-server' ? codeServers.map((c) => ({ backend, label: c.label, tools: c.tools })) : [{ backend, label: backend, tools }]);
  for (const { backend, label, tools: runTools } of runs) {
    if (backend === 'electron') stopDisplay = await ensureDisplay();
    // The oldest session runs on the oldest code-server, unless main runs there in full anyway
    // (--vscode oldest|both); the other sessions run there only when --vscode asked for it.
    const onOldest = label === oldestLabel;
    const mainOnOldest = vscodeRange !== 'newest' && sessions.some((s) => s.name === 'main');
    const runHere = (s) => (s.oldest ? onOldest && !mainOnOldest : !onOldest || vscodeRange !== 'newest');
    for (const session of sessions.filter(runHere)) {
      say(`--- ${label} / ${session.name} ---`);
      let r;
      try {
        if (session.vsix && vsixError) throw vsixError;
        r = backend === 'code-server'
          ? await runCodeServerSession(session, runTools, session.vsix ? vsixPath : undefined)
          : await runElectronSession(session, backend, session.vsix ? vsixPath : undefined);
      } catch (e) {
        console.error(`[integration] ${label}/${session.name} could not run: ${e instanceof Error ? e.stack : e}`);
        r = { code: 1, passed: 0, failed: 0, sawSummary: false };
      }
      if (session.oldest && !grep && r.code === 0 && r.passed < OLDEST_PATHS.length) {
        say(`${label}/${session.name}: ${r.passed} tests ran, fewer than the ${OLDEST_PATHS.length} of OLDEST_PATHS (a renamed test?)`);
        r = { ...r, failed: r.failed + 1 };
      }
      passed += r.passed;
      failed += r.failed;
      if (r.code !== 0 || !r.sawSummary) {
        ok = false;
        say(`${label}/${session.name} failed: host exit code ${r.code}${r.sawSummary ? '' : ', no test summary (did the extension host crash? see test-artifacts/logs)'}`);
        if (!r.sawSummary) failed += 1;
      }
    }
  }
  stopDisplay();
  say(`screenshots: ${screenshotsDir}; logs: ${logsDir}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(ok && failed === 0 ? 0 : 1);
}

main().catch((e) => {
  // Missing system packages come with the command to run; no stack needed for those.
  console.error(e?.exitCode ? `[integration] ${e.message}` : e instanceof Error ? e.stack : e);
  console.log('0 passed, 1 failed');
  process.exit(e?.exitCode ?? 1);
});
