// `npm start`: a real VS Code with the extension loaded from this checkout and the demo
// workspace (demo/) open. By default that is code-server in the browser: we print its URL and
// serve until Ctrl+C. With --desktop it is desktop VS Code (`code`, or $PY_CONTEXTS_CODE).
//
// code-server loads an extension under development through the same URL payload the tests
// use, only without `extensionTestsPath`:
//   /?folder=<demo>&payload=[["extensionDevelopmentPath","vscode-remote://<host>/<repo>"]]
// The workbench then runs as an "Extension Development Host" with this repo's extension.
//
// Options: --desktop, --port <n>, --no-build, --check (start, load the page in headless
// chromium, save test-artifacts/screenshots/start.png, and exit: a smoke test of this script).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { launchChromium, startCodeServer } from './code-server-session.mjs';
import { ensureTools } from './vscode-tools.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const demo = join(root, 'demo');

function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function findCode() {
  if (process.env.PY_CONTEXTS_CODE) return process.env.PY_CONTEXTS_CODE;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'code'))) return join(dir, 'code');
  }
  return undefined;
}

/** demo/ is written by the extension's authors; this only covers a checkout without it. */
function ensureDemo() {
  mkdirSync(demo, { recursive: true });
  const files = readdirSync(demo);
  if (!files.some((f) => f.endsWith('.py'))) {
    writeFileSync(join(demo, 'cells.py'), '# %% A first cell\nx = 41\nx + 1\n\n# %% Another cell\nprint("hello from", __name__)\n');
  }
  if (!files.some((f) => f.endsWith('.ipynb'))) {
    const nb = {
      cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['1 + 1'] }],
      metadata: { language_info: { name: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    writeFileSync(join(demo, 'notebook.ipynb'), JSON.stringify(nb, null, 1) + '\n');
  }
}

function build() {
  if (argv.includes('--no-build')) return;
  if (!existsSync(join(root, 'native/build/Release/cores.json'))) {
    console.log('[start] building the native addon (loader and engine cores)');
    run(process.execPath, [join(root, 'scripts/build-native.mjs')]);
  }
  run(process.execPath, [join(root, 'scripts/build.mjs')]);
  if (!existsSync(join(root, 'dist/extension.js'))) {
    console.warn('[start] warning: dist/extension.js was not built (no src/extension.ts?); the extension will not activate');
  }
}

async function desktop() {
  const code = findCode();
  if (!code) {
    console.error('[start] --desktop: no `code` on PATH; set PY_CONTEXTS_CODE to the VS Code executable.');
    process.exit(1);
  }
  const child = spawn(code, ['--new-window', `--extensionDevelopmentPath=${root}`, demo], { stdio: 'inherit' });
  child.on('exit', (c) => process.exit(c ?? 0));
}

async function browser() {
  const tools = ensureTools();
  // Settings and state survive restarts, like a normal installation, but stay in the cache.
  const state = join(tools.cache, 'start');
  // A stable default port keeps the printed URL valid across restarts.
  const port = opt('--port') ? Number(opt('--port')) : (await portIsFree(8765)) ? 8765 : undefined;
  const server = await startCodeServer({
    tools,
    userDataDir: join(state, 'user-data'),
    extensionsDir: join(state, 'extensions'),
    ...(port ? { port } : {}),
    logFile: join(state, 'code-server.log'),
  });
  const url = server.url({ folder: demo, extensionDevelopmentPaths: [root] });

  if (argv.includes('--check')) {
    const b = await launchChromium(tools);
    let ok = false;
    try {
      const page = await b.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);
      await page.waitForFunction(() => document.title.includes('Extension Development Host'), null, { timeout: 60_000 });
      // The extension is loaded once its activity-bar icon is shown: wait for it, open its
      // view, and wait for the Context Pool tree before the screenshot.
      const icon = page.locator('.activitybar [aria-label^="Py Contexts"]').first();
      await icon.waitFor({ state: 'visible', timeout: 60_000 });
      await icon.click();
      // (A container with one view hides that view's header: its title is the sidebar's.)
      await page.locator('.sidebar .title-label').filter({ hasText: /context pool|py contexts/i })
        .first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.locator('.sidebar .monaco-list-row').first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForTimeout(1000);
      const shots = join(root, 'test-artifacts/screenshots');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'start.png') });
      console.log(`[start] ok: "${await page.title()}"; screenshot in ${join(shots, 'start.png')}`);
      ok = true;
    } finally {
      await b.close();
      await server.stop();
    }
    process.exit(ok ? 0 : 1);
  }

  console.log('\nPy Contexts is running in code-server (VS Code in the browser). Open:\n');
  console.log(`  ${url}\n`);
  console.log(`It listens on 127.0.0.1 only (use ssh -L ${server.port}:127.0.0.1:${server.port} from another machine).`);
  console.log(`Log: ${server.logFile}. Press Ctrl+C to stop.`);
  server.proc.on('exit', (c) => {
    console.error(`[start] code-server exited (${c}); see ${server.logFile}`);
    process.exit(1);
  });
  await new Promise(() => {});
}

ensureDemo();
build();
if (argv.includes('--desktop')) await desktop();
else await browser();
