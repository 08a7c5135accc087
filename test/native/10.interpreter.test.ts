import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInfo } from '../../src/engine/binding';
import { startPython, EngineStartError } from '../../src/core';
import { getPython, uniqueId } from './_setup';

describe('interpreter', () => {
  it('reports the embedded sys.version, matching the build', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    assert.equal(py.version, await p.eval('__import__("sys").version'));
    assert.ok(py.version.startsWith(buildInfo().version.split('.').slice(0, 2).join('.')));
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

  it('imports numpy when the build uses Debian python (which has it from apt)', async function () {
    const info = buildInfo();
    const py = await getPython();
    const p = py.process(uniqueId());
    if (info.executable.startsWith('/usr/bin/')) {
      // Debian's python is the CI configuration: numpy must be there, fail loudly if not.
      assert.equal(await p.eval('__import__("numpy").arange(4).sum().item()'), 6);
    } else {
      // Other builds: numpy may or may not exist, but a failed import must be a clean PythonError.
      const r = await p.run('try:\n    import numpy\n    ok = int(numpy.arange(4).sum())\nexcept ImportError:\n    ok = "missing"\nok');
      assert.ok(r === 6 || r === 'missing', `unexpected ${String(r)}`);
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

  it('refuses another installation of the same minor version, naming the rebuild', async () => {
    await getPython(); // one runs already: the interpreter choice is still checked first
    const info = buildInfo();
    const dir = mkdtempSync(join(tmpdir(), 'pyc-other-'));
    const fake = join(dir, 'python3');
    // Answers the engine's query like a Python of the build's version living elsewhere.
    writeFileSync(fake, `#!/bin/sh\necho ${fake}\necho ${info.version}\necho ${dir}\n`);
    chmodSync(fake, 0o755);
    await assert.rejects(startPython({ python: fake, pools: { default: 1 } }), (e: unknown) =>
      e instanceof EngineStartError && e.code === 'version-mismatch' && /another installation/.test(e.message) &&
      e.fix.includes(`PY_CONTEXTS_PYTHON=${fake} npm rebuild`));
  });
});
