/**
 * The unit tests of python/py_contexts (test/unit/*_py, notebook_magics) once more, each
 * Python command run in a context of a fresh embedded interpreter instead of a standalone
 * python (test/unit/_python.ts, fixtures/embedded-python.ts): the context thread, the
 * runtime's streams, import hooks and patches are then all in place, as in users' editors.
 */
import * as assert from 'node:assert/strict';
import { python, runPython, useEmbeddedInterpreter } from '../unit/_python';

useEmbeddedInterpreter();

describe('python/ unit tests in the embedded interpreter', function () {
  this.timeout(120_000);

  it('runs a command as python does: argv, stdin, stdout, stderr and the exit status', () => {
    const ok = runPython(['-c', 'import sys; print(sys.argv, sys.stdin.read())', 'a'], { input: 'from stdin' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, "['-c', 'a'] from stdin\n");
    const failed = runPython(['-c', 'import sys\nprint("before", file=sys.stderr)\n1/0']);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /^before\n[\s\S]*ZeroDivisionError: division by zero/);
    assert.equal(runPython(['-c', 'raise SystemExit(3)']).status, 3);
    // The embedded runtime is there: its own stdout object, not a file.
    const rt = runPython(['-c', "import sys; print(type(sys.stdout).__module__, 'py_contexts.runtime' in sys.modules)"]);
    assert.equal(rt.stdout, 'py_contexts.runtime True\n', rt.stderr);
  });

  // The unit tests need numpy, pandas, matplotlib and IPython: Debian's python3 (the default)
  // has them, the matrix's source-built 3.13 and 3.13t do not.
  const libs = runPython(['-c', 'import numpy, pandas, matplotlib, IPython']);
  if (libs.status === 0) {
    /* eslint-disable @typescript-eslint/no-require-imports -- registers those files' suites here, after useEmbeddedInterpreter() */
    require('../unit/dataview_py.unit.test');
    require('../unit/editor_py.unit.test');
    require('../unit/notebook_display_py.unit.test');
    require('../unit/notebook_magics.unit.test');
    require('../unit/plots_py.unit.test');
    /* eslint-enable @typescript-eslint/no-require-imports */
  } else {
    it(`needs numpy, pandas, matplotlib and IPython, which ${python} lacks`, function () {
      assert.notEqual(python, '/usr/bin/python3', `Debian's python3 must have them: ${libs.stderr}`);
      this.skip();
    });
  }
});
