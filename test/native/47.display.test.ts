/**
 * Rich display (python/py_contexts/display.py) in the embedded interpreter: values are
 * formatted by IPython's formatters when IPython is installed (Debian's python3 has it from
 * python3-ipykernel), by ours otherwise, and an object with `_ipython_display_` shows itself.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DisplayData, PyProcess } from '../../src/core';
import { getPython, uniqueId } from './_setup';

const CLASSES = readFileSync(path.join(__dirname, '../../../test/fixtures/notebooks/ipython_objects.py'), 'utf8');

describe('rich display with IPython formatters', () => {
  let p: PyProcess;
  let ipython: boolean;

  before(async () => {
    const py = await getPython();
    p = py.process(uniqueId('display'));
    // Our shim answers `import IPython` when the real one is missing; ask for the real one.
    ipython = (await p.eval(
      "(lambda s: s is not None and type(s.loader).__name__ != '_ShimFinder')(__import__('importlib.util').util.find_spec('IPython'))",
    )) as boolean;
    if (process.env['PY_CONTEXTS_PYTHON'] === undefined || process.env['PY_CONTEXTS_PYTHON'] === '/usr/bin/python3') {
      assert.ok(ipython, "Debian's python3 has IPython (python3-ipykernel)");
    }
    await p.exec(CLASSES);
  });

  after(async () => {
    await p.close();
  });

  async function richRun(code: string): Promise<{ value: unknown; displays: DisplayData[] }> {
    const displays: DisplayData[] = [];
    const value = await p.run(code, { rich: true, onDisplay: (d) => displays.push(d) });
    return { value, displays };
  }

  it("formats a value with _repr_pretty_ through IPython's pretty printer (with IPython)", async () => {
    const { value } = await richRun('Pretty()');
    const data = (value as DisplayData).data;
    assert.equal(data['text/html'], '<b>pretty</b>');
    assert.equal(data['text/plain'], ipython ? 'pretty text' : 'Pretty()');
  });

  it('lets an object with _ipython_display_ show itself, leaving no value of its own', async () => {
    const { value, displays } = await richRun('ShowsItself()');
    assert.equal(value, undefined);
    assert.equal(displays.length, 1);
    assert.equal(displays[0]?.data['text/html'], '<p>shown by itself</p>');
    const shown = await richRun('display(ShowsItself(), 7)');
    assert.deepEqual(shown.displays.map((d) => d.data['text/html'] ?? d.data['text/plain']), ['<p>shown by itself</p>', '7']);
  });

  it('keeps plain values as Python prints them, also once IPython is imported', async () => {
    const { value } = await richRun("[1, (2, 3.0), {'a': None}]");
    assert.deepEqual((value as DisplayData).data, { 'text/plain': "[1, (2, 3.0), {'a': None}]" });
  });
});
