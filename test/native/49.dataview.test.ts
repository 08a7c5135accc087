/**
 * The data viewer's op (`process.dataView`, python/py_contexts/dataview.py) in the embedded
 * interpreter: a variable opened by path, paged and sorted; `py_contexts.view(obj)` and
 * `%view expr` reaching the host function; views freed with their environment.
 */
import * as assert from 'node:assert/strict';
import type { DataViewMeta, DataViewPage } from '../../src/core';
import { transformMagics } from '../../src/surfaces/notebook/magics';
import { getPython, uniqueId } from './_setup';

describe('data view op', function () {
  this.timeout(120_000);

  it('opens a list of dicts by its variable path, pages it and sorts it in Python', async () => {
    const py = await getPython();
    const p = py.process(uniqueId('dv'));
    const ctx = py.context(1);
    await p.exec('rows = [{"a": i % 7, "b": str(i)} for i in range(1000)]', { context: ctx });
    const meta = await p.dataView({ cmd: 'open', path: ['rows'], title: 'rows' }, ctx) as DataViewMeta;
    assert.deepEqual([meta.kind, meta.shape, meta.columns.map((c) => c.name)], ['list of dicts', [1000, 2], ['a', 'b']]);
    const page = await p.dataView({ cmd: 'rows', view: meta.id, start: 995, count: 100 }, ctx) as DataViewPage;
    assert.deepEqual([page.rows.length, page.rows[0], page.total], [5, [995, 1, '995'], 1000]);
    await p.dataView({ cmd: 'query', view: meta.id, sort: { column: 0, ascending: false }, filters: [] }, ctx);
    const sorted = await p.dataView({ cmd: 'rows', view: meta.id, start: 0, count: 3 }, ctx) as DataViewPage;
    assert.deepEqual(sorted.rows, [[6, 6, '6'], [13, 6, '13'], [20, 6, '20']]);
    assert.equal(await p.run('len(globals()["__py_contexts_views__"])', { context: ctx }), 1, 'the view lives in the environment');
    assert.equal(await p.dataView({ cmd: 'close', view: meta.id }, ctx), true);
    await p.close();
  });

  it('rejects a request where the process has no environment, and bad arguments with a TypeError', async () => {
    const py = await getPython();
    const p = py.process(uniqueId('dv'));
    await assert.rejects(p.dataView({ cmd: 'open', path: ['x'], title: 'x' }, py.context(1)), /has no environment in/);
    await p.exec('x = 1', { context: py.context(1) });
    await assert.rejects(p.dataView({ cmd: 'rows', view: 1, start: -5, count: 1 }, py.context(1)), { name: 'TypeError' });
    await assert.rejects(p.dataView({ cmd: 'open', path: ['x'], title: 'x' }, py.context(1)), (e: Error) => e.name === 'PythonError' && /not int/.test(e.message));
    await p.close();
  });

  it('py_contexts.view() and %view hand the host function the process, context and view, then the viewer pages it', async () => {
    const py = await getPython();
    const calls: { process: string; context: string; view: number; title: string }[] = [];
    const reg = py.registerFunction('vscode.dataViewer.open', (arg: { process: string; context: string; view: number; title: string }) => {
      calls.push(arg);
      return null;
    });
    const p = py.process(uniqueId('dv'));
    const ctx = py.context(2);
    try {
      await p.exec('import py_contexts\ndata = {"x": [3, 1, 2], "y": ["c", "a", "b"]}\npy_contexts.view(data, "mine")', { context: ctx });
      await p.exec(transformMagics('%view data["x"] and data'), { context: ctx });
      assert.deepEqual(calls.map((c) => [c.process, c.context, c.title]), [[p.id, ctx.id, 'mine'], [p.id, ctx.id, 'data["x"] and data']]);
      const page = await p.dataView({ cmd: 'rows', view: calls[1]!.view, start: 0, count: 10 }, ctx) as DataViewPage;
      assert.deepEqual(page.rows, [[0, 3, 'c'], [1, 1, 'a'], [2, 2, 'b']]);
      // %view keeps the expression: Refresh sees the variable's new value.
      await p.exec('data = {"x": [9]}', { context: ctx });
      const meta = await p.dataView({ cmd: 'refresh', view: calls[1]!.view }, ctx) as DataViewMeta;
      assert.deepEqual([meta.rows, meta.columns.map((c) => c.name)], [1, ['x']]);
      await assert.rejects(p.exec('py_contexts.view(42)', { context: ctx }), (e: Error) => /TypeError/.test(e.name + e.message));
      await assert.rejects(p.exec(transformMagics('%view'), { context: ctx }), /%view needs an expression/);
    } finally {
      reg.dispose();
    }
    // Without the host function (plain engine), view() raises NameError and keeps no view.
    await assert.rejects(p.exec('py_contexts.view([{"a": 1}])', { context: ctx }), /NameError/);
    assert.equal(await p.run('len(globals()["__py_contexts_views__"])', { context: ctx }), 2);
    await p.close();
  });
});
