// The test runner VS Code loads inside the extension host (the `extensionTestsPath`).
// It runs mocha over the integration tests of the current session and rejects when any test
// fails, which makes the host exit non-zero so that scripts/integration.mjs fails too.
//
// scripts/integration.mjs runs several sessions (see SESSIONS there); each one tells us its
// name through PY_CONTEXTS_SESSION and we pick the test files that belong to it:
//   main       out/test/integration/*.integration.test.js (extension under development)
//   untrusted  out/test/integration/untrusted/*.integration.test.js (restricted mode)
//   vsix       out/test/integration/vsix/*.integration.test.js (extension installed from .vsix)
//   pythonext  out/test/integration/pythonext/*.integration.test.js (with the Python extension stand-in)
import Mocha from 'mocha';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The tests of one session: the directory's own files, not its subdirectories. */
function testFiles(session: string): string[] {
  const dir = session === 'main' ? __dirname : join(__dirname, session);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.integration.test.js'))
    .sort()
    .map((name) => join(dir, name));
}

export async function run(): Promise<void> {
  const session = process.env['PY_CONTEXTS_SESSION'] ?? 'main';
  const grep = process.env['PY_CONTEXTS_GREP'];
  const mocha = new Mocha({
    ui: 'bdd',
    // Generous: the first test in a session may start CPython and import numpy on a slow,
    // busy 2-core machine. Tests that wait for something use waitFor() with their own limit.
    timeout: 120_000,
    color: false,
    reporter: 'spec',
    ...(grep ? { grep } : {}),
  });
  const files = testFiles(session);
  for (const f of files) mocha.addFile(f);
  console.log(`[integration] session ${session}: ${files.length} test file(s)`);

  const { passes, failures } = await new Promise<{ passes: number; failures: number }>((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        resolve({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0 });
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
  // scripts/integration.mjs parses this exact line to print the grand total.
  console.log(`${passes} passed, ${failures} failed`);
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
  if (passes === 0) throw new Error(`no integration tests ran in session ${session}`);
}
