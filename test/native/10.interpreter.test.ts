import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describeRun, runFixture } from './fixtures/child';
import { startPython, EngineStartError, PythonError } from '../../src/core';
import { getPython, uniqueId } from './_setup';

describe('interpreter', () => {
  it('reports the embedded sys.version and py.interpreter, matching the running Python', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    assert.equal(py.version, await p.eval('__import__("sys").version'));
    assert.ok(py.version.startsWith(`${py.interpreter.version} `), `${py.version} vs ${py.interpreter.version}`);
    assert.equal(py.interpreter.executable, await p.eval('__import__("sys").executable'));
    assert.equal(py.interpreter.freeThreaded, await p.eval('not getattr(__import__("sys"), "_is_gil_enabled", lambda: True)()'));
    assert.deepEqual(Object.keys(py.interpreter).sort(), ['executable', 'freeThreaded', 'version']);
    await p.close();
  });

  it('imports C extension modules (libpython is RTLD_GLOBAL)', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    for (const mod of ['math', '_json', 'sqlite3', 'hashlib', 'ssl', '_decimal', 'array']) {
      await p.exec(`import ${mod}`);
    }
    assert.equal(await p.eval('math.sqrt(2) ** 2 > 1.99'), true);
    assert.equal(await p.eval('hashlib.sha256(b"abc").hexdigest()[:8]'), 'ba7816bf');
    assert.equal(await p.eval('sqlite3.connect(":memory:").execute("select 40 + 2").fetchone()[0]'), 42);
    await p.close();
  });

  it('imports numpy exactly when the same interpreter run standalone can (Debian python has it from apt)', async function () {
    const py = await getPython();
    const p = py.process(uniqueId());
    // The standalone interpreter is the oracle: embedding must neither lose nor invent numpy.
    const standalone = spawnSync(py.interpreter.executable, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (py.interpreter.executable.startsWith('/usr/bin/')) {
      // Debian's python is the CI configuration: numpy must be there, fail loudly if not.
      assert.equal(standalone.status, 0, `numpy missing from Debian python: ${standalone.stderr}`);
    }
    if (standalone.status === 0) {
      assert.equal(await p.eval('__import__("numpy").arange(4).sum().item()'), 6);
    } else {
      const err = await p.eval('__import__("numpy")').then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof PythonError, `expected a PythonError, got ${String(err)}`);
      assert.equal(err.type, 'ModuleNotFoundError');
    }
    await p.close();
  });

  it('does not start a second interpreter while one runs', async () => {
    await getPython();
    await assert.rejects(startPython({ pools: { default: 1 } }), (e: unknown) => e instanceof EngineStartError && e.code === 'already-running');
  });

  it('validates start options with TypeError/RangeError naming the option', async () => {
    await assert.rejects(startPython({ python: 42 as unknown as string }), /options\.python must be a string/);
    await assert.rejects(startPython({ pools: { default: 0 } }), RangeError);
    await assert.rejects(startPython({ pools: { 'bad name!': 1 } }), TypeError);
  });

  it('refuses a missing python with a fix', async () => {
    await assert.rejects(startPython({ python: '/nonexistent/python3' }),
      (e: unknown) => e instanceof EngineStartError && e.code === 'python-not-found' && /Fix:/.test(e.message));
  });

  it('refuses a second, different libpython in the same process, and reloads the same one', () => {
    const r = runFixture('switch-python', ['/usr/bin/python3', 'python3']);
    assert.equal(r.status, 0, describeRun(r));
    assert.equal(r.result!['first'], 42, describeRun(r));
    assert.equal(r.result!['again'], 42, describeRun(r));
    assert.equal(r.result!['code'], 'restart-required', describeRun(r));
    assert.match(r.result!['message'] as string, /is already loaded in this process/);
  });
});
