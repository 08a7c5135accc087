// Which Python the engine starts with: setting, then the Python extension's selection, then
// python3 on PATH; when a change is worth a restart; how the interpreter is described.
import * as assert from 'node:assert/strict';
import {
  chooseInterpreter,
  describeChoice,
  describeInterpreter,
  isFreeThreadedSysVersion,
  restartPrompt,
  sameInterpreter,
} from '../../src/services/interpreterChoice';

const FT_SYS_VERSION = '3.13.5 experimental free-threading build (main, Dec  2 2026, 07:20:11) [GCC 12.2.0]';
const GIL_SYS_VERSION = '3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]';

describe('interpreter choice', () => {
  it('takes pyContexts.pythonPath first, even when the Python extension selected another', () => {
    const ext = { path: '/usr/bin/python3', executable: '/usr/bin/python3', version: '3.11.2', sysVersion: GIL_SYS_VERSION };
    assert.deepEqual(chooseInterpreter('/opt/py313/bin/python3', ext), { source: 'setting', python: '/opt/py313/bin/python3' });
    assert.deepEqual(chooseInterpreter('  /opt/venv/bin/python  ', undefined), { source: 'setting', python: '/opt/venv/bin/python' });
  });

  it("takes the Python extension's resolved executable next, with its version and free-threading", () => {
    assert.deepEqual(
      chooseInterpreter('', { path: '/opt/py313t', executable: '/opt/py313t/bin/python3.13t', version: '3.13.5', sysVersion: FT_SYS_VERSION }),
      { source: 'python-extension', python: '/opt/py313t/bin/python3.13t', version: '3.13.5', freeThreaded: true },
    );
    assert.deepEqual(
      chooseInterpreter('', { path: '/usr/bin/python3', executable: '/usr/bin/python3', version: '3.11.2', sysVersion: GIL_SYS_VERSION }),
      { source: 'python-extension', python: '/usr/bin/python3', version: '3.11.2', freeThreaded: false },
    );
  });

  it("uses the selected path when the Python extension could not resolve it, so the engine reports what is wrong", () => {
    assert.deepEqual(chooseInterpreter('', { path: '/gone/bin/python3' }),
      { source: 'python-extension', python: '/gone/bin/python3', version: undefined, freeThreaded: undefined });
  });

  it("falls back to python3 on PATH without the Python extension, or when it only has its default bare 'python'", () => {
    assert.deepEqual(chooseInterpreter('', undefined), { source: 'path', python: undefined });
    assert.deepEqual(chooseInterpreter('', { path: 'python' }), { source: 'path', python: undefined });
    assert.deepEqual(chooseInterpreter('', { path: 'python', executable: undefined, version: undefined }), { source: 'path', python: undefined });
  });

  it('falls back to PATH when the Python extension did not answer, and says so', () => {
    assert.deepEqual(chooseInterpreter('', 'unanswered'), { source: 'path', python: undefined, unanswered: true });
    assert.deepEqual(chooseInterpreter('/x/python', 'unanswered'), { source: 'setting', python: '/x/python' });
  });

  it('recognizes a free-threaded build by its sys.version', () => {
    assert.equal(isFreeThreadedSysVersion(FT_SYS_VERSION), true);
    assert.equal(isFreeThreadedSysVersion(GIL_SYS_VERSION), false);
    assert.equal(isFreeThreadedSysVersion(undefined), false);
  });
});

describe('restart on a changed selection', () => {
  const running = { version: '3.11.7', freeThreaded: false, executable: '/root/.pyenv/versions/3.11.7/bin/python3.11' };

  it('treats the path that was asked for, or the running sys.executable, as the same interpreter', () => {
    const started = { requested: '/usr/bin/python3', executable: '/usr/bin/python3' };
    assert.equal(sameInterpreter({ source: 'python-extension', python: '/usr/bin/python3' }, started), true);
    assert.equal(sameInterpreter({ source: 'setting', python: '/usr/bin//python3' }, started), true);
    assert.equal(sameInterpreter({ source: 'setting', python: '/usr/bin/python3.11' }, { requested: 'python3.11', executable: '/usr/bin/python3.11' }), true);
    assert.equal(sameInterpreter({ source: 'python-extension', python: '/opt/venv/bin/python' }, started), false);
  });

  it('treats PATH as the same only when the engine was started from PATH', () => {
    assert.equal(sameInterpreter({ source: 'path', python: undefined }, { requested: undefined, executable: running.executable }), true);
    assert.equal(sameInterpreter({ source: 'path', python: undefined }, { requested: '/usr/bin/python3', executable: '/usr/bin/python3' }), false);
    assert.equal(sameInterpreter({ source: 'python-extension', python: running.executable }, { requested: undefined, executable: running.executable }), true);
  });

  it('offers "Restart Python with X" for another interpreter and says nothing for the same one', () => {
    const started = { requested: undefined, executable: running.executable, info: running };
    assert.equal(restartPrompt({ source: 'path', python: undefined }, started), undefined);
    const prompt = restartPrompt({ source: 'python-extension', python: '/opt/py313t/bin/python3.13t', version: '3.13.5', freeThreaded: true }, started);
    assert.ok(prompt);
    assert.match(prompt, /^Py Contexts: Restart Python with Python 3\.13\.5 \(free-threaded\) at \/opt\/py313t\/bin\/python3\.13t\?/);
    assert.match(prompt, /chosen by the interpreter selected in the Python extension/);
    assert.match(prompt, /Python 3\.11\.7 keeps running until the window reloads/);
    assert.match(restartPrompt({ source: 'setting', python: '/opt/venv/bin/python' }, started) ?? '', /Restart Python with \/opt\/venv\/bin\/python\? It was chosen by the pyContexts\.pythonPath setting/);
  });

  it('offers no restart when the Python extension did not answer', () => {
    const started = { requested: '/usr/bin/python3', executable: '/usr/bin/python3', info: { ...running, executable: '/usr/bin/python3' } };
    assert.equal(restartPrompt({ source: 'path', python: undefined, unanswered: true }, started), undefined);
    assert.ok(restartPrompt({ source: 'path', python: undefined }, started));
  });

  it('describes choices and running interpreters', () => {
    assert.equal(describeChoice({ source: 'path', python: undefined }), 'python3 on PATH');
    assert.equal(describeChoice({ source: 'setting', python: '/x/python' }), '/x/python');
    assert.equal(describeChoice({ source: 'python-extension', python: '/x/python', version: '3.11.2', freeThreaded: false }), 'Python 3.11.2 at /x/python');
    const ft = describeInterpreter({ version: '3.13.5', freeThreaded: true, executable: '/opt/t/bin/python3.13t' }, 'python-extension');
    assert.equal(ft.label, 'Python 3.13.5 (free-threaded)');
    assert.equal(ft.description, '/opt/t/bin/python3.13t');
    assert.match(ft.tooltip, /^Python 3\.13\.5 \(free-threaded\)\n\/opt\/t\/bin\/python3\.13t\nfree-threaded: contexts run Python in parallel\nChosen by the interpreter selected in the Python extension\.$/);
    const gil = describeInterpreter(running, undefined);
    assert.equal(gil.label, 'Python 3.11.7');
    assert.match(gil.tooltip, /with the GIL/);
    assert.doesNotMatch(gil.tooltip, /Chosen by/);
  });
});
