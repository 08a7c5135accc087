#!/usr/bin/env node
// CPython's own tests, inside a context and in the standalone interpreter, side by side
// (issue 15). Each module runs through unittest twice: in a Node child that embeds the
// engine (one process, one context, the code run as a document's code runs), and in
// `python3` (the interpreter the addon was built against; its `test` package, on Debian
// `apt-get install libpython3.11-testsuite`). Every test that fails or errors in the
// context but passes standalone must be listed, with its reason, in
// scripts/conformance-expected.json; anything else is a regression and fails the script.
//
//   npm run conformance                       the list below
//   npm run conformance -- test_json test_re  chosen modules (names as in the list)
//   --json out.json                           also write the raw results
//
// Results of both sides run in child processes: a module may end its host (test_signal did
// before the signal emulation), which must show as a failed row, never as a crash here.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** [label, unittest names]: whole modules, or the subsets the issue names. */
export const MODULES = [
  ['test_threading', ['test.test_threading']],
  ['test_concurrent_futures', ['test.test_concurrent_futures']],
  ['test_subprocess', ['test.test_subprocess']],
  ['test_signal', ['test.test_signal']],
  ['test_pickle', ['test.test_pickle']],
  ['test_json', ['test.test_json']],
  ['test_asyncio (tasks, events, locks)', ['test.test_asyncio.test_tasks', 'test.test_asyncio.test_events', 'test.test_asyncio.test_locks']],
  ['test_logging', ['test.test_logging']],
  ['test_warnings', ['test.test_warnings']],
  ['test_contextlib', ['test.test_contextlib']],
  ['test_traceback', ['test.test_traceback']],
  ['test_re', ['test.test_re']],
  // test_multiprocessing_fork is three lines around _test_multiprocessing (which some builds ship
  // without it): the runner builds the same classes with install_tests_in_module_dict(…, 'fork').
  ['test_multiprocessing_fork (pool, queue, process)', ['fork:WithProcessesTestPool', 'fork:WithProcessesTestQueue', 'fork:WithProcessesTestProcess']],
];

// Runs unittest names and returns a summary; the same code on both sides.
export const RUNNER = String.raw`
def __conformance(names):
    import io, sys, time, unittest
    from test import support
    support.use_resources = []  # as regrtest without -u: no network, no large CPU/memory tests
    support.verbose = False
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    load_errors = []
    fork = None
    for n in names:
        try:
            if n.startswith('fork:'):
                if fork is None:
                    import types
                    import test._test_multiprocessing as tm
                    fork = types.ModuleType('test_multiprocessing_fork')
                    fork.__dict__['__name__'] = 'test.test_multiprocessing_fork'
                    tm.install_tests_in_module_dict(fork.__dict__, 'fork')
                    # its module-level set-up and tear-down, as the real module has them
                    fork.setUpModule()
                suite.addTests(loader.loadTestsFromTestCase(getattr(fork, n[5:])))
            else:
                suite.addTests(loader.loadTestsFromName(n))
        except Exception as e:
            load_errors.append(f'{n}: {type(e).__name__}: {e}')
    stream = io.StringIO()
    t0 = time.monotonic()
    result = unittest.TextTestRunner(stream=stream, verbosity=0).run(suite)
    if fork is not None:
        fork.tearDownModule()
    bad = {}
    for t, tb in result.failures + result.errors:
        bad[t.id()] = tb[-1500:]
    return {
        'run': result.testsRun,
        'failures': sorted(t.id() for t, _ in result.failures),
        'errors': sorted(t.id() for t, _ in result.errors),
        'skipped': len(result.skipped),
        'seconds': round(time.monotonic() - t0, 1),
        'loadErrors': load_errors,
        'details': bad,
    }
`;

const MARK = 'CONFORMANCE-RESULT ';

/** The interpreter the engine embeds by default ($PY_CONTEXTS_PYTHON, else python3), as sys.executable. */
function pythonExecutable() {
  return execFileSync(process.env.PY_CONTEXTS_PYTHON || 'python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

/** Runs a command; resolves with its result line (or why there is none). */
function runChild(cmd, args, timeoutMs, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (line) resolve(JSON.parse(line.slice(MARK.length)));
      else resolve({ crashed: signal ? `killed by ${signal}` : `exit ${code}`, stderr: err.slice(-1500) });
    });
  });
}

function standalone(names, timeoutMs) {
  const code = `${RUNNER}\nimport json, sys\nr = __conformance(${JSON.stringify(names)})\nsys.__stdout__.write(${JSON.stringify(MARK)} + json.dumps(r) + "\\n")\n`;
  return runChild(pythonExecutable(), ['-c', code], timeoutMs);
}

function inContext(names, timeoutMs) {
  return runChild(process.execPath, [join(repo, 'scripts/conformance-child.mjs'), JSON.stringify(names), String(timeoutMs)], timeoutMs + 30_000);
}

/** The documented entry that explains why `id` fails in the context only, if any. */
function documentedBy(entries, id, traceback) {
  return entries.find((e) => {
    const tests = e.tests ?? ['*'];
    const byTest = tests.some((t) => (t.endsWith('*') ? id.startsWith(t.slice(0, -1)) : id === t));
    const byCause = e.because === undefined || new RegExp(e.because).test(traceback ?? '');
    return byTest && byCause;
  });
}

function bad(r) {
  return r.crashed ? null : new Set([...r.failures, ...r.errors]);
}

function cell(r) {
  if (r.crashed) return `crashed (${r.crashed})`;
  const f = r.failures.length;
  const e = r.errors.length;
  return `${r.run} run, ${f} failures, ${e} errors, ${r.skipped} skipped${r.loadErrors?.length ? `, ${r.loadErrors.length} load errors` : ''}`;
}

async function main() {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonOut = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
  const wanted = args.length ? MODULES.filter(([label]) => args.some((a) => label.split(' ')[0] === a)) : MODULES;
  const expected = JSON.parse(readFileSync(join(repo, 'scripts/conformance-expected.json'), 'utf8'));
  const timeoutMs = Number(process.env.PY_CONTEXTS_CONFORMANCE_TIMEOUT_MS ?? 20 * 60_000);
  const rows = [];
  const raw = {};
  let regressions = 0;
  for (const [label, names] of wanted) {
    const key = label.split(' ')[0];
    process.stderr.write(`[conformance] ${label}: standalone… `);
    const s = await standalone(names, timeoutMs);
    process.stderr.write(`${cell(s)}; in a context… `);
    const c = await inContext(names, timeoutMs);
    process.stderr.write(`${cell(c)}\n`);
    raw[key] = { standalone: s, context: c };
    const allowed = expected[key] ?? [];
    const sBad = bad(s);
    const cBad = bad(c);
    const unexpected = [];
    if (!cBad) unexpected.push(`the context run crashed: ${c.crashed}\n${c.stderr ?? ''}`);
    else if (sBad) {
      for (const id of cBad) {
        if (!sBad.has(id) && !documentedBy(allowed, id, c.details?.[id])) {
          unexpected.push(`${id}\n${(c.details?.[id] ?? '').split('\n').slice(-6).join('\n')}`);
        }
      }
    }
    const documented = cBad && sBad ? [...cBad].filter((id) => !sBad.has(id) && documentedBy(allowed, id, c.details?.[id])).length : 0;
    regressions += unexpected.length;
    rows.push({ label, s: cell(s), c: cell(c), documented, unexpected });
  }
  console.log('\n| module | in a context | standalone | documented differences | unexpected |');
  console.log('|---|---|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.c} | ${r.s} | ${r.documented} | ${r.unexpected.length} |`);
  for (const r of rows) {
    for (const u of r.unexpected) console.log(`\nUNEXPECTED in ${r.label}: ${u}`);
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(raw, null, 1));
  if (regressions > 0) {
    console.log(`\n${regressions} unexpected difference(s); see scripts/conformance-expected.json for the documented ones.`);
    process.exitCode = 1;
  } else {
    console.log('\nconformance: every difference is documented.');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
