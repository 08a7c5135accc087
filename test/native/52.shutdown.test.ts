/**
 * Issue 5, lifecycle rows: shutdown with 1,000 calls in flight, user threads alive at
 * shutdown and at exit, output floods cut by shutdown, and every way start-up can fail
 * (missing python, another minor version, no shared libpython). All of it runs in child
 * processes: each case either ends a Python or could wedge the runner if it regressed.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, runFixture } from './fixtures/child';

const root = join(__dirname, '..', '..', '..');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'py-contexts-test-'));
}

/** A shell script that pretends to be python: runs `body` whatever it is asked. */
function fakePython(dir: string, body: string): string {
  const file = join(dir, 'python3');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('shutdown and start-up faults (issue 5)', function () {
  this.timeout(120_000);

  it('shutdown with 1,000 calls in flight settles every promise with a clear error, no hang', () => {
    const r = runFixture('shutdown-inflight', ['shutdown']);
    assert.equal(r.signal, null, describeRun(r));
    assert.equal(r.status, 0, describeRun(r));
    const res = r.result!;
    assert.equal(res['total'], 1000);
    const messages = res['messages'] as Record<string, number>;
    const rejected = Object.values(messages).reduce((a, b) => a + b, 0);
    assert.equal((res['fulfilled'] as number) + rejected, 1000);
    for (const m of Object.keys(messages)) assert.match(m, /^Error: Python was shut down/, m);
    assert.match(res['after'] as string, /shut down/);
  });

  it('process.exit() with 1,000 calls in flight exits with its own code, no crash', () => {
    const r = runFixture('shutdown-inflight', ['exit']);
    assert.equal(r.signal, null, describeRun(r));
    assert.equal(r.status, 5, describeRun(r));
    assert.match(r.stdout, /exiting with calls in flight/);
  });

  for (const mode of ['shutdown', 'exit', 'process.exit']) {
    it(`user threads (daemon and not; sleeping, spinning, blocked in C, on a lock, printing) survive ${mode} without a crash`, () => {
      const r = runFixture('threads-at-exit', [mode]);
      assert.equal(r.signal, null, describeRun(r));
      assert.equal(r.status, 0, describeRun(r));
      // 10 user threads, Python's main thread (the engine's runtime thread) and the context
      // thread that ran the code, which threading sees as a proper thread (issue 15).
      assert.equal(r.result?.['active'], 12, describeRun(r));
      assert.equal(r.result?.['busy'], 4999950000);
      assert.doesNotMatch(r.stderr, /Fatal Python error|Segmentation|Aborted/);
    });
  }

  for (const mode of ['shutdown', 'exit']) {
    it(`${mode} completes while context threads are stuck in C calls that never return`, () => {
      const r = runFixture('stuck-shutdown', [mode]);
      assert.equal(r.signal, null, describeRun(r));
      assert.equal(r.status, 0, describeRun(r));
      assert.match(r.result!['abandoned'] as string, /was restarted/);
      assert.equal(r.result!['other'], 42);
      if (mode === 'shutdown') {
        assert.match(r.result!['second'] as string, /Python was shut down/);
        assert.ok((r.result!['shutdownMs'] as number) < 20_000, describeRun(r));
      }
    });
  }

  it('user atexit callbacks run at shutdown; ones that never return cannot hang it', () => {
    const dir = tempDir();
    try {
      const ok = runFixture('atexit', [join(dir, 'ok.txt'), 'ok']);
      assert.equal(ok.status, 0, describeRun(ok));
      assert.equal(readFileSync(join(dir, 'ok.txt'), 'utf8'), 'ran');
      const hang = runFixture('atexit', [join(dir, 'hang.txt'), 'hang']);
      assert.equal(hang.signal, null, describeRun(hang));
      assert.equal(hang.status, 0, describeRun(hang));
      // The callbacks get a 2 s deadline; then the interpreter is left to the process exit.
      assert.ok((hang.result!['shutdownMs'] as number) < 15_000, describeRun(hang));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shutdown in the middle of a 100 MB print flood rejects the call and exits cleanly', () => {
    const r = runFixture('print-flood', ['shutdown'], { nodeArgs: ['--expose-gc'] });
    assert.equal(r.signal, null, describeRun(r));
    assert.equal(r.status, 0, describeRun(r));
    assert.match(r.result!['outcome'] as string, /^(rejected Python was shut down|resolved done)/);
  });

  describe('start-up failures name the fix (EngineStartError)', () => {
    let dir: string;
    beforeEach(() => {
      dir = tempDir();
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('a missing python: python-not-found', () => {
      const r = runFixture('start-error', [join(dir, 'no-such-python')]);
      assert.equal(r.status, 0, describeRun(r));
      assert.equal(r.result!['started'], false);
      assert.equal(r.result!['isEngineStartError'], true);
      assert.equal(r.result!['code'], 'python-not-found');
      assert.ok((r.result!['fix'] as string).length > 10);
    });

    it('a python that fails to run: python-not-found with the reason', () => {
      const py = fakePython(dir, 'echo "broken interpreter" >&2\nexit 3');
      const r = runFixture('start-error', [py]);
      assert.equal(r.result!['code'], 'python-not-found', describeRun(r));
      assert.match(r.result!['message'] as string, /Cannot run the Python/);
      assert.match(r.result!['fix'] as string, /Install Python 3\.\d+/);
    });

    it('a python of another minor version: version-mismatch, fix says how to rebuild', () => {
      const py = fakePython(dir, `echo "${dir}/python3"\necho 3.99.1`);
      const r = runFixture('start-error', [py]);
      assert.equal(r.status, 0, describeRun(r));
      assert.equal(r.result!['code'], 'version-mismatch', describeRun(r));
      assert.match(r.result!['message'] as string, /is 3\.99\.1, but py-contexts was built for Python 3\.\d+/);
      assert.match(r.result!['fix'] as string, /PY_CONTEXTS_PYTHON=.*npm rebuild/);
    });

    it('an addon whose libpython cannot be loaded: addon-load, fix names the Python to install', () => {
      // A package root like ours, whose .node needs a libpython that does not exist.
      const pkg = join(dir, 'pkg');
      mkdirSync(join(pkg, 'native', 'build', 'Release'), { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'py-contexts' }));
      cpSync(join(root, 'out', 'src'), join(pkg, 'out', 'src'), { recursive: true });
      copyFileSync(join(root, 'native', 'build', 'python.json'), join(pkg, 'native', 'build', 'python.json'));
      writeFileSync(join(dir, 'dep.c'), 'int py_contexts_missing(void) { return 0; }\n');
      writeFileSync(join(dir, 'addon.c'), 'extern int py_contexts_missing(void);\nint f(void) { return py_contexts_missing(); }\n');
      execFileSync('gcc', ['-shared', '-fPIC', '-o', join(dir, 'libpython3.99.so'), join(dir, 'dep.c')]);
      execFileSync('gcc', ['-shared', '-fPIC', '-o', join(pkg, 'native', 'build', 'Release', 'py_contexts.node'), join(dir, 'addon.c'), `-L${dir}`, '-lpython3.99']);
      rmSync(join(dir, 'libpython3.99.so'));
      const r = runFixture('start-error', ['', join(pkg, 'out', 'src', 'core.js')]);
      assert.equal(r.status, 0, describeRun(r));
      assert.equal(r.result!['code'], 'addon-load', describeRun(r));
      assert.match(r.result!['message'] as string, /libpython3\.99\.so: cannot open shared object file/);
      assert.match(r.result!['fix'] as string, /Install Python .*shared library|rebuild/i);
    });

    // Runs the build's python discovery against a fake python that prints `info` as its sysconfig.
    const discoverWith = (info: string, what: string) =>
      spawnSync(process.execPath, [join(root, 'native', 'scripts', 'discover-python.js'), what], {
        encoding: 'utf8',
        env: { ...process.env, PY_CONTEXTS_PYTHON: fakePython(dir, `cat <<'JSON'\n${info}\nJSON`) },
      });

    it('a python without a shared libpython fails the build with the fix (discover-python.js)', () => {
      // Headers exist, so the shared-library check is the one that fails.
      mkdirSync(join(dir, 'include'));
      writeFileSync(join(dir, 'include', 'Python.h'), '');
      const info = JSON.stringify({
        executable: `${dir}/python3`, version: '3.11.9', prefix: dir, exec_prefix: dir,
        INCLUDEPY: join(dir, 'include'), LIBDIR: dir, LDLIBRARY: 'libpython3.11.a', LDVERSION: '3.11',
        MULTIARCH: 'none', Py_ENABLE_SHARED: 0, Py_GIL_DISABLED: null,
      });
      const r = discoverWith(info, 'libdir');
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /has no shared libpython/);
      assert.match(r.stderr, /--enable-shared/);
      assert.match(r.stderr, /python3-dev/);
    });

    it('a python without headers fails the build with the fix (discover-python.js)', () => {
      const info = JSON.stringify({
        executable: `${dir}/python3`, version: '3.11.9', prefix: dir, exec_prefix: dir,
        INCLUDEPY: join(dir, 'include'), LIBDIR: dir, LDLIBRARY: 'libpython3.11.so', LDVERSION: '3.11',
        MULTIARCH: 'x86_64-linux-gnu', Py_ENABLE_SHARED: 1, Py_GIL_DISABLED: null,
      });
      const r = discoverWith(info, 'include');
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /has no C headers/);
      assert.match(r.stderr, /apt-get install python3\.11-dev/);
    });
  });
});
