#!/usr/bin/env node
// A stand-in for the desktop `code` executable, backed by code-server and headless chromium.
// @vscode/test-electron's runTests({ vscodeExecutablePath }) spawns whatever it is given with
// desktop-style arguments; pointing it here runs the same tests on this offline machine:
//
//   runTests({ vscodeExecutablePath: 'scripts/code-server-adapter.mjs', extensionDevelopmentPath,
//              extensionTestsPath, launchArgs: [folder, '--user-data-dir', d, '--extensions-dir', e] })
//
// Understood: [folder], --extensionDevelopmentPath (repeatable), --extensionTestsPath,
// --user-data-dir, --extensions-dir, --disable-workspace-trust; everything else is ignored.
// With a tests path it exits with the extension host's exit code; without one it prints the
// workbench URL and serves until interrupted. Screenshots go to $PY_CONTEXTS_SCREENSHOTS.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { runTestsInBrowser, shortTempDir, startCodeServer } from './code-server-session.mjs';
import { ensureTools } from './vscode-tools.mjs';

const VALUED = new Set(['--extensionDevelopmentPath', '--extensionTestsPath', '--user-data-dir', '--extensions-dir']);

export function parseCodeArgs(argv) {
  const out = { devPaths: [], testsPath: undefined, userDataDir: undefined, extensionsDir: undefined, trust: false, folder: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let name = a;
    let value;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      name = a.slice(0, eq);
      value = a.slice(eq + 1);
    } else if (VALUED.has(a)) {
      value = argv[++i];
    }
    switch (name) {
      case '--extensionDevelopmentPath': out.devPaths.push(resolve(value)); break;
      case '--extensionTestsPath': out.testsPath = resolve(value); break;
      case '--user-data-dir': out.userDataDir = resolve(value); break;
      case '--extensions-dir': out.extensionsDir = resolve(value); break;
      case '--disable-workspace-trust': out.trust = true; break;
      default:
        if (!a.startsWith('-')) out.folder = resolve(a);
    }
  }
  return out;
}

async function main() {
  const a = parseCodeArgs(process.argv.slice(2));
  const tools = ensureTools();
  const tmp = shortTempDir();
  const server = await startCodeServer({
    tools,
    tmp,
    trust: a.trust,
    ...(a.userDataDir ? { userDataDir: a.userDataDir } : {}),
    ...(a.extensionsDir ? { extensionsDir: a.extensionsDir } : {}),
  });
  const url = server.url({ folder: a.folder, extensionDevelopmentPaths: a.devPaths, extensionTestsPath: a.testsPath });
  if (!a.testsPath) {
    console.log(url);
    await new Promise(() => {});
  }
  let code = 1;
  try {
    ({ code } = await runTestsInBrowser({ url, tools, screenshotsDir: process.env.PY_CONTEXTS_SCREENSHOTS }));
  } finally {
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(code);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
