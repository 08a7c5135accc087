// The Context Pool tree: pools → contexts → documents → variables, live descriptions, menu
// capability flags, lazily loaded and bounded variables, and a screenshot for the README.
import * as assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { api, cursorAt, ok, pythonEditor, runLines, runSelection } from './_extension';
import { assertScreenshot, canScreenshot, closeAllEditors, screenshot, sleep, waitFor } from './_helpers';
import { children, contextNode, documentNode, item, label, variables } from './_tree';

describe('Context Pool tree', () => {
  after(closeAllEditors);

  it('lists the configured pools, and the contexts of a pool when it is expanded', async () => {
    const a = await api();
    const pools = (await children(a)).filter((p) => p.kind === 'pool');
    assert.deepEqual(pools.map((p) => label(a, p)), ['default']);
    const ctxs = await children(a, pools[0]);
    assert.deepEqual(ctxs.map((c) => label(a, c)), ['default:1', 'default:2']);
    // Python runs now, so the interpreter in use heads the tree, above the pools.
    const py = await a.python();
    const head = (await children(a))[0]!;
    assert.equal(label(a, head), `Python ${py.interpreter.version}${py.interpreter.freeThreaded ? ' (free-threaded)' : ''}`);
    assert.equal(item(a, head).description, py.interpreter.executable);
    for (const c of ctxs) {
      const ti = item(a, c);
      assert.match(String(ti.description), /^idle/);
      assert.match(String(ti.contextValue), /^context;idle;.*restartable;/);
    }
  });

  it("shows each pool's mode, and why a pool in a mode this Python cannot give did not start", async () => {
    const a = await api();
    const py = await a.python();
    const config = vscode.workspace.getConfiguration('pyContexts');
    await config.update('pools', { default: 2, cpu: { size: 2, mode: 'owngil' } }, vscode.ConfigurationTarget.Global);
    try {
      const pools = (await children(a)).filter((p) => p.kind === 'pool');
      const byName = (n: string) => pools.find((p) => label(a, p) === n);
      assert.equal(item(a, byName('default')!).description, `${py.interpreter.freeThreaded ? 'worker · free-threaded' : 'worker'} · 2 contexts`);
      const cpu = byName('cpu');
      assert.ok(cpu, 'the configured own-GIL pool is listed');
      const caps = py.capabilities();
      if (caps.ownGil) {
        assert.deepEqual((await children(a, cpu)).map((c) => label(a, c)), ['cpu:1', 'cpu:2']);
        assert.equal(item(a, cpu).description, 'own GIL · 2 contexts');
        assert.deepEqual(py.contexts('cpu').map((c) => c.mode), ['owngil', 'owngil']);
      } else {
        assert.equal(item(a, cpu).description, 'own GIL · 2 contexts · not started');
        const [why] = await children(a, cpu);
        assert.equal(why?.kind, 'message');
        assert.equal(item(a, why!).description, `pool 'cpu': ${caps.ownGilRefusal!.message}`);
        assert.equal(py.poolStarted('cpu'), false);
      }
    } finally {
      await config.update('pools', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows a document under its context after it runs, with its variables', async () => {
    const a = await api();
    const editor = await pythonEditor('tree/vars.py', ['x = 41', 'data = {"a": [1, 2, 3], "b": "text"}', 'rows = list(range(500))', ''].join('\n'));
    await vscode.commands.executeCommand('pyContexts.bindToContext', editor.document.uri, 'default:1');
    ok(await runLines(editor, 1, 3));
    const doc = await waitFor(() => documentNode(a, 'default:1', editor.document.uri), { message: 'the document node' });
    assert.equal(label(a, doc), 'vars.py');
    assert.match(String(item(a, doc).description), /^bound/);
    assert.match(String(item(a, doc).contextValue), /^document;bound;resettable;/);
    assert.equal(item(a, doc).tooltip, `${editor.document.uri.fsPath}\nRuns in ${realpathSync(dirname(editor.document.uri.fsPath))}\nBound to default:1`);
    assert.deepEqual(item(a, doc).command?.arguments?.[0]?.toString(), editor.document.uri.toString(), 'clicking opens the document');

    const vars = await variables(a, doc);
    assert.deepEqual([...vars.keys()], ['x', 'data', 'rows']);
    assert.equal(vars.get('x')?.description, 'int = 41');
    assert.match(vars.get('data')?.description ?? '', /^dict\[2\] = \{'a': \[1, 2, 3\], 'b': 'text'\}/);

    // Expanding a dict, then a list inside it.
    const data = await variables(a, vars.get('data')!.node);
    assert.deepEqual([...data.keys()], ["'a'", "'b'"]);
    const inner = await variables(a, data.get("'a'")!.node);
    assert.deepEqual([...inner.entries()].map(([k, v]) => `${k} ${v.description}`), ['0 int = 1', '1 int = 2', '2 int = 3']);

    // Big collections are truncated with a final "… N more".
    const rows = [...(await variables(a, vars.get('rows')!.node)).keys()];
    assert.equal(rows.length, 101);
    assert.equal(rows[100], '… 400 more');
  });

  it('updates variables after the next run, and shows a hostile __repr__ as timed out', async () => {
    const a = await api();
    const editor = await pythonEditor(
      'tree/vars.py',
      ['x = 41', 'class Hostile:', '    def __repr__(self):', '        while True: pass', 'h = Hostile()', 'x = 42', ''].join('\n'),
    );
    ok(await runLines(editor, 2, 6));
    const doc = await waitFor(() => documentNode(a, 'default:1', editor.document.uri), { message: 'the document node' });
    const vars = await waitFor(async () => {
      const v = await variables(a, doc);
      return v.get('x')?.description === 'int = 42' && v;
    }, { message: 'x = 42 in the tree' });
    assert.equal(vars.get('h')?.description, 'Hostile = repr timed out');
    // The context is still usable afterwards.
    cursorAt(editor, 6);
    assert.equal(ok(await runSelection(editor)), undefined);
  });

  it('marks a busy context as interruptible, and interrupting `while True: pass` frees it', async () => {
    const a = await api();
    const editor = await pythonEditor('tree/busy.py', ['while True: pass', 'done = 1', ''].join('\n'));
    await vscode.commands.executeCommand('pyContexts.bindToContext', editor.document.uri, 'default:2');
    cursorAt(editor, 1);
    const running = runSelection(editor);
    const busy = await waitFor(async () => {
      const c = await contextNode(a, 'default:2');
      return /;interruptible;/.test(String(item(a, c).contextValue)) && c;
    }, { message: 'default:2 to be busy' });
    assert.match(String(item(a, busy).description), /^busy /);
    if (canScreenshot()) {
      // Let the status bar's progress item (shown after 0.5 s) and the busy time appear.
      await vscode.commands.executeCommand('pyContexts.contextPool.focus');
      await sleep(1500);
      await screenshot('tree-busy');
    }
    await vscode.commands.executeCommand('pyContexts.interrupt', busy);
    const r = await running;
    assert.ok(r && !r.ok && /KeyboardInterrupt/.test(r.error), `expected a KeyboardInterrupt, got ${JSON.stringify(r)}`);
    cursorAt(editor, 2);
    ok(await runSelection(editor));
    await waitFor(async () => /^idle/.test(String(item(a, await contextNode(a, 'default:2')).description)), { message: 'default:2 idle again' });
  });

  it('is shown in its own activity bar container (screenshot)', async () => {
    const a = await api();
    const editor = await pythonEditor('tree/vars.py', ['x = 41', 'data = {"a": [1, 2, 3], "b": "text"}', 'rows = list(range(500))', 'x + 1', ''].join('\n'));
    ok(await runLines(editor, 1, 4));
    await vscode.commands.executeCommand('pyContexts.contextPool.focus');
    const doc = await waitFor(() => documentNode(a, 'default:1', editor.document.uri), { message: 'the document node' });
    await a._test.tree.view.reveal(doc, { expand: true, focus: false, select: false });
    const vars = await variables(a, doc);
    await a._test.tree.view.reveal(vars.get('data')!.node, { expand: true, focus: false, select: false });
    await waitFor(() => a._test.tree.view.visible, { message: 'the tree view to be visible' });
    const file = await screenshot('context-pool-tree');
    assertScreenshot(file);
  });
});
