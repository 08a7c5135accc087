// One code-server instance plus (optionally) one headless chromium page driving it.
// Shared by scripts/integration.mjs (tests), scripts/code-server-adapter.mjs (the same thing
// behind a desktop-`code`-like command line, for @vscode/test-electron) and scripts/start.mjs.
//
// Why each piece is there (see /work/shared/FACTS.md for the measurements):
// - code-server runs under Node 24 from the tools cache, in its own process group, because
//   its helpers (extension host, file watcher, pty host) outlive a plain SIGTERM.
// - XDG_* and TMPDIR point into a short temp dir: otherwise code-server writes into ~/.config,
//   and unix socket paths longer than 107 characters break its IPC.
// - `--vscode-option enable-smoke-test-driver` makes the workbench honour the test payload in
//   the URL and report the extension host's console and exit code to window.codeAutomationLog
//   and window.codeAutomationExit, which we expose from playwright.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { format } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ensureTools, loadPlaywright } from './vscode-tools.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Settings that keep the workbench quiet and deterministic (and screenshots clean). */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.restoreWindows': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  // A remote extension host (code-server's) looks for ports to forward by listing /proc
  // every few seconds, 60-300 ms of that host's thread on this machine; the desktop host
  // never does. Off, so the responsiveness tests (issue 17) measure the extension
  // (code-server has a tunnel provider, which keeps the scan on unless the source is not
  // 'process').
  'remote.autoForwardPorts': false,
  'remote.autoForwardPortsSource': 'output',
  // Only matters when trust is enabled (the untrusted session): open straight into
  // restricted mode instead of a modal dialog nobody would answer.
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
};

const groups = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of groups) killGroup(pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      for (const pid of groups) killGroup(pid, 'SIGKILL');
      process.exit(130);
    });
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** A short temp dir: /tmp/pyc-XXXXXX keeps socket paths far below the 107 character limit. */
export function shortTempDir(prefix = 'pyc-') {
  const base = existsSync('/tmp') ? '/tmp' : (process.env.TMPDIR ?? '/tmp');
  return mkdtempSync(join(base, prefix));
}

/** Environment for code-server: ours, minus anything that would tie it to an outer VS Code. */
function serverEnv(tmp, extra) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k.startsWith('npm_')) delete env[k];
  }
  for (const d of ['config', 'data', 'cache', 'tmp']) mkdirSync(join(tmp, d), { recursive: true });
  return {
    ...env,
    XDG_CONFIG_HOME: join(tmp, 'config'),
    XDG_DATA_HOME: join(tmp, 'data'),
    XDG_CACHE_HOME: join(tmp, 'cache'),
    TMPDIR: join(tmp, 'tmp'),
    ...extra,
  };
}

function writeSettings(userDataDir, settings) {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  // code-server's window is a remote one: machine-scoped settings (pyContexts.pythonPath) are
  // read from the server's Machine settings, and ignored in the User file.
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

/**
 * Installs a .vsix into an extensions dir with code-server's CLI (no server is started).
 */
export function installVsix({ vsix, extensionsDir, userDataDir, tmp = shortTempDir(), tools = ensureTools() }) {
  const r = spawnSync(
    tools.node,
    [tools.codeServerEntry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--force',
      '--install-extension', vsix],
    { env: serverEnv(tmp, {}), encoding: 'utf8' },
  );
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${out}`);
  }
  return out.trim();
}

/**
 * Starts code-server and resolves once it answers /healthz.
 * Returns { port, origin, url(folder, payload), stop() }.
 */
export async function startCodeServer({
  tools = ensureTools(),
  tmp: givenTmp,
  tmp = givenTmp ?? shortTempDir(),
  userDataDir = join(tmp, 'user'),
  extensionsDir = join(tmp, 'extensions'),
  trust = true,
  settings = USER_SETTINGS,
  env = {},
  port,
  logFile = join(tmp, 'code-server.log'),
  quiet = true,
} = {}) {
  installExitHook();
  mkdirSync(extensionsDir, { recursive: true });
  writeSettings(userDataDir, settings);
  port ??= await freePort();
  // Releases before --vscode-option take the flag itself once a preload declares it.
  const oldCli = !readFileSync(join(tools.codeServerEntry, '..', 'cli.js'), 'utf8').includes('"vscode-option"');
  const args = [
    ...(oldCli ? ['-r', fileURLToPath(new URL('./code-server-old-cli.cjs', import.meta.url))] : []),
    tools.codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(oldCli ? ['--enable-smoke-test-driver'] : ['--vscode-option', 'enable-smoke-test-driver']),
    ...(trust ? ['--disable-workspace-trust'] : []),
  ];
  const log = createWriteStream(logFile);
  const proc = spawn(tools.node, args, {
    env: serverEnv(tmp, env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  groups.add(proc.pid);
  for (const s of [proc.stdout, proc.stderr]) {
    s.on('data', (d) => {
      log.write(d);
      if (!quiet) process.stderr.write(d);
    });
  }
  let exited = null;
  proc.on('exit', (code, signal) => {
    exited = code ?? signal;
  });

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`code-server exited (${exited}) before it was ready; see ${logFile}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`code-server did not start within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  return {
    port,
    origin,
    tmp,
    userDataDir,
    extensionsDir,
    logFile,
    /** The workbench URL for a folder, with an optional test payload (local absolute paths). */
    url({ folder, extensionDevelopmentPaths = [], extensionTestsPath } = {}) {
      const payload = [
        ...extensionDevelopmentPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
        ...(extensionTestsPath ? [['extensionTestsPath', remote(extensionTestsPath)]] : []),
      ];
      const q = [];
      if (folder) q.push(`folder=${encodeURIComponent(folder)}`);
      if (payload.length) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
      return `${origin}/${q.length ? '?' + q.join('&') : ''}`;
    },
    async stop() {
      killGroup(proc.pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      killGroup(proc.pid, 'SIGKILL');
      groups.delete(proc.pid);
      log.end();
      // A temp dir we made ourselves is ours to remove; a caller's stays for the caller.
      if (!givenTmp) rmSync(tmp, { recursive: true, force: true });
    },
    proc,
  };
}

/**
 * Headless Debian chromium. Its crash handler writes under XDG_CONFIG_HOME, so that points
 * into a temp dir removed when the browser closes.
 */
export async function launchChromium(tools = ensureTools()) {
  const { chromium } = await loadPlaywright(tools);
  const home = shortTempDir('pyc-browser-');
  const browser = await chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home },
  });
  browser.on('disconnected', () => rmSync(home, { recursive: true, force: true }));
  return browser;
}

const SCREENSHOT = /\[\[screenshot:([A-Za-z0-9._-]+)\]\]/;
// `[[press:Shift+Enter]]`: a test asks for a real key press in the workbench (a keybinding's own path).
const PRESS = /\[\[press:([A-Za-z0-9+]+)\]\]/;
// `[[click:Later]]`: a test asks for a click on a notification's button with exactly that label
// (a real showInformationMessage answer, a progress's Cancel), in a toast or in the notification
// centre (a workbench running extension tests shows no toasts). Playwright waits for it to show.
const CLICK = /\[\[click:([A-Za-z0-9 ._-]+)\]\]/;
const SUMMARY = /^(\d+) passed, (\d+) failed$/m;
// Harmless offline complaints (see FACTS.md): the marketplace, telemetry, GitHub sign-in.
const NOISE = /ENOTFOUND|open-vsx\.org|marketplace|telemetry|github\.com|ECONNREFUSED.*:443|\[AccountPolicyGate\]/i;

/**
 * Opens `url` in headless chromium and waits for the extension host to report its exit code.
 * Every console line of the host is passed to `onLog`. A line `[[screenshot:NAME]]` makes us
 * save the page as `<screenshotsDir>/NAME.png` (written to a temp name and renamed, so the host
 * may poll for the final name). Resolves { code, passed, failed } ; code 124 means timeout.
 */
export async function runTestsInBrowser({
  url,
  tools = ensureTools(),
  screenshotsDir,
  browserLogFile,
  timeoutMs = 15 * 60_000,
  onLog = (line) => process.stdout.write(line.endsWith('\n') ? line : line + '\n'),
  viewport = { width: 1280, height: 800 },
}) {
  const browser = await launchChromium(tools);
  const browserLog = browserLogFile ? createWriteStream(browserLogFile) : null;
  let passed = 0;
  let failed = 0;
  let sawSummary = false;
  try {
    const page = await browser.newPage({ viewport });
    page.on('console', (m) => browserLog?.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => browserLog?.write(`[pageerror] ${e.message}\n`));

    // Screenshots are taken one at a time, in request order.
    let shots = Promise.resolve();
    const takeScreenshot = (name) => {
      shots = shots.then(async () => {
        if (!screenshotsDir) return;
        mkdirSync(screenshotsDir, { recursive: true });
        const final = join(screenshotsDir, `${name}.png`);
        const tmp = join(screenshotsDir, `.${name}.png.tmp`);
        try {
          // Let the workbench paint what the test just did before capturing it.
          await page.waitForTimeout(300);
          await page.screenshot({ path: tmp, type: 'png' });
          renameSync(tmp, final);
        } catch (e) {
          onLog(`[integration] screenshot ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
          rmSync(tmp, { force: true });
        }
      });
    };

    let resolveExit;
    const exited = new Promise((r) => {
      resolveExit = r;
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      resolveExit(typeof code === 'number' ? code : 1);
    });
    // The workbench sends its own log through the same hook as the extension host's console,
    // and offline it is noisy. Everything goes to the browser log file; stdout gets the host's
    // lines once our runner announced itself, and before that only errors and warnings.
    let runnerStarted = false;
    await page.exposeFunction('codeAutomationLog', (level, args) => {
      const text = Array.isArray(args) ? format(...args) : String(args);
      browserLog?.write(`[host:${level}] ${text}\n`);
      if (text.startsWith('[integration] session ')) runnerStarted = true;
      const shot = SCREENSHOT.exec(text);
      if (shot?.[1]) takeScreenshot(shot[1]);
      const press = PRESS.exec(text);
      if (press?.[1]) {
        const key = press[1];
        shots = shots.then(() => page.keyboard.press(key).catch((e) => onLog(`[integration] press ${key} failed: ${e instanceof Error ? e.message : String(e)}`)));
      }
      const click = CLICK.exec(text);
      if (click?.[1]) {
        const label = click[1];
        const exact = new RegExp(`^\\s*${label.replace(/[.]/g, '\\.')}\\s*$`);
        shots = shots.then(() =>
          page.locator('.notifications-toasts .monaco-button, .notifications-center .monaco-button', { hasText: exact }).first().click({ timeout: 20_000 })
            .catch(async (e) => {
              const toasts = await page.locator('.notifications-toasts, .notifications-center').allInnerTexts().catch(() => []);
              onLog(`[integration] click ${label} failed: ${e instanceof Error ? e.message : String(e)}; toasts: ${JSON.stringify(toasts).slice(0, 500)}`);
            }));
      }
      const sum = SUMMARY.exec(text);
      if (sum) {
        passed += Number(sum[1]);
        failed += Number(sum[2]);
        sawSummary = true;
      }
      if (NOISE.test(text)) return;
      if (runnerStarted || level === 'error' || level === 'warn') onLog(text);
    });

    let timer;
    const timedOut = new Promise((r) => {
      timer = setTimeout(() => r('timeout'), timeoutMs);
    });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    await shots;
    if (result === 'timeout') {
      onLog(`[integration] timed out after ${Math.round(timeoutMs / 1000)} s`);
      return { code: 124, passed, failed: sawSummary ? failed : failed + 1, sawSummary };
    }
    return { code: result, passed, failed, sawSummary };
  } finally {
    browserLog?.end();
    await browser.close().catch(() => {});
  }
}
