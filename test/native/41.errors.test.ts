import * as assert from 'node:assert/strict';
import { PythonError } from '../../src/core';
import { getPython, uniqueId } from './_setup';

describe('errors', () => {
  it('turns a Python exception into PythonError with type, message, traceback and frames', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await p.exec('def inner():\n    return 1 / 0\n\ndef outer():\n    return inner()\n', { filename: '/work/demo.py', firstLine: 10 });
    const err = await p.call('__main__', 'outer').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PythonError);
    assert.equal(err.type, 'ZeroDivisionError');
    assert.equal(err.pythonMessage, 'division by zero');
    assert.equal(err.message, 'ZeroDivisionError: division by zero');
    assert.match(err.traceback, /Traceback \(most recent call last\)/);
    assert.match(err.traceback, /File "\/work\/demo.py", line 11, in inner/);
    assert.doesNotMatch(err.traceback, /runtime\.py/, 'internal frames are hidden');
    assert.deepEqual(err.frames.map((f) => [f.file, f.line, f.name]), [
      ['/work/demo.py', 14, 'outer'],
      ['/work/demo.py', 11, 'inner'],
    ]);
    await p.close();
  });

  it('shows the real source lines when sourceText is given', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const source = 'a = 1\nb = 2\nraise ValueError("boom " + str(a + b))\n';
    const err = await p.exec('raise ValueError("boom " + str(a + b))', { filename: '/virtual/doc.py', firstLine: 3, sourceText: source }).catch((e: unknown) => e);
    assert.ok(err instanceof PythonError);
    assert.equal(err.type, 'NameError');
    assert.match(err.traceback, /File "\/virtual\/doc.py", line 3/);
    assert.match(err.traceback, /raise ValueError\("boom " \+ str\(a \+ b\)\)/);
    assert.equal(await p.run('import inspect\ndef g():\n    return 1\ninspect.getsourcelines(g)[1]', { filename: '/virtual/doc2.py', firstLine: 5, sourceText: '\n\n\n\nimport inspect\ndef g():\n    return 1\ninspect.getsourcelines(g)[1]\n' }), 6);
    await p.close();
  });

  it('reports syntax errors with the location', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const err = await p.run('x = (1,\n', { filename: '/w/s.py', firstLine: 7 }).catch((e: unknown) => e);
    assert.ok(err instanceof PythonError);
    assert.equal(err.type, 'SyntaxError');
    assert.ok(err.frames.some((f) => f.file === '/w/s.py'));
    await p.close();
  });

  it('names non-builtin exception types with their module', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const err = await p.run('import json\njson.loads("{")').catch((e: unknown) => e);
    assert.ok(err instanceof PythonError);
    assert.equal(err.type, 'json.decoder.JSONDecodeError');
    await p.close();
  });

  it('rejects bad arguments with TypeErrors naming them', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await assert.rejects(p.run(42 as unknown as string), /code must be a string, got number/);
    await assert.rejects(p.exec(null as unknown as string), /code must be a string, got null/);
    await assert.rejects(p.call('', 'f'), /module must be a non-empty string/);
    await assert.rejects(p.call('math', 5 as unknown as string), /fn must be a non-empty string/);
    await assert.rejects(p.call('math', 'sqrt', 'x' as never), /args must be an array/);
    await assert.rejects(p.call('math', 'sqrt', [], [] as never), /kwargs must be a plain object/);
    await assert.rejects(p.run('1', { timeoutMs: -1 }), /opts\.timeoutMs must be a positive number/);
    await assert.rejects(p.run('1', { onOutput: 3 as never }), /opts\.onOutput must be a function/);
    await assert.rejects(p.run('1', { context: {} as never }), /opts\.context must be a Context/);
    await p.close();
  });

  it('keeps the context usable after errors', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    for (let i = 0; i < 20; i++) await assert.rejects(p.run('raise KeyError(1)'), PythonError);
    assert.equal(await p.run('"fine"'), 'fine');
    await p.close();
  });
});
