// User paths no other test walked (issue 14): Shift+Enter while the context is busy, the
// Shift+Enter key itself, unicode and CRLF documents, a notebook and an editor running at
// once, the tree's and status bar's commands (bind here, unbind, refresh, settings, reset and
// restart from a context node, click to interrupt).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, cursorAt, live, ok, pythonEditor, runSelection } from './_extension';
import { closeAllEditors, pressKey, waitFor } from './_helpers';
import { openNotebook, writeNotebook } from './_notebooks';
import { contextNode, documentNode, item } from './_tree';

const line = (ed: vscode.TextEditor): number => live(ed).selection.active.line + 1;

describe('user paths', () => {
  afterEach(closeAllEditors);

  it('moves the cursor at once on Shift+Enter while the context sleeps, in another document and in the same one', async () => {
    const a = await api();
    const sleeper = await pythonEditor('paths/sleeper.py', ['import time', 'time.sleep(30)', 'after = (1,', '         2)', 'done = 1', ''].join('\n'), vscode.ViewColumn.One);
    const other = await pythonEditor('paths/other.py', ['def f():', '    return 1', '', 'f()', ''].join('\n'), vscode.ViewColumn.Two);
    for (const ed of [sleeper, other]) await vscode.commands.executeCommand('pyContexts.bindToContext', ed.document.uri, 'default:1');
    cursorAt(sleeper, 1);
    ok(await runSelection(sleeper));
    const ctx = (await a.python()).context(1);
    cursorAt(sleeper, 2);
    const sleeping = runSelection(sleeper);
    let queuedOther: Thenable<unknown> | undefined;
    let queuedSame: Thenable<unknown> | undefined;
    try {
      await waitFor(() => ctx.stats().busy, { message: 'default:1 busy with the sleep' });
      cursorAt(other, 1);
      queuedOther = runSelection(other);
      // Well inside the 30 s sleep: the statement was found without the context.
      await waitFor(() => line(other) === 4, { timeoutMs: 10_000, message: 'the cursor to move past the def' });
      assert.ok(ctx.stats().busy, 'still sleeping: the cursor did not wait for it');

      cursorAt(sleeper, 3);
      queuedSame = runSelection(sleeper);
      await waitFor(() => line(sleeper) === 5, { timeoutMs: 10_000, message: 'the cursor to move past the bracket' });
      assert.ok(ctx.stats().busy, 'still sleeping');
      await waitFor(() => ctx.stats().queued >= 2, { message: 'both runs to queue behind the sleep' });
    } finally {
      await vscode.commands.executeCommand('pyContexts.interrupt', other.document.uri);
      await vscode.commands.executeCommand('pyContexts.interrupt', sleeper.document.uri);
    }
    const r = await sleeping;
    assert.ok(r && !r.ok && /KeyboardInterrupt/.test(r.error), JSON.stringify(r));
    // Queued behind the interrupted sleep, each either ran or was abandoned with its document's interrupt.
    for (const q of [queuedOther, queuedSame]) {
      const res = (await q) as { ok: boolean; error?: string } | undefined;
      assert.ok(res && (res.ok || /Interrupted/.test(res.error ?? '')), JSON.stringify(res));
    }
  });

  it('runs the statement and moves on when the user presses Shift+Enter', async () => {
    const a = await api();
    const ed = await pythonEditor('paths/keys.py', ['pressed = [', '    1,', ']', 'pressed.append(2)', ''].join('\n'));
    cursorAt(ed, 1);
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await waitFor(() => vscode.window.activeTextEditor?.document === ed.document, { message: 'the editor to be active' });
    pressKey('Shift+Enter');
    await waitFor(() => line(ed) === 4, { message: 'Shift+Enter to move the cursor to line 4' });
    const proc = await waitFor(() => a.processFor(ed.document.uri), { message: 'the document to have a process' });
    await waitFor(async () => (await proc.run('"pressed" in globals() and pressed == [1]')) === true, { message: 'the list to be defined' });
    assert.equal(ed.document.getText().split('\n')[0], 'pressed = [', 'Shift+Enter ran the command, it typed nothing');
  });

  it('runs unicode and CRLF documents with the right lines, results and error marks', async () => {
    const a = await api();
    const text = ['s = "naïve ✓ 𝄞"', 'def f():', '    return s + "!"', '', 'f()', 'len(s)', '1 / 0', ''].join('\r\n');
    const ed = await pythonEditor('paths/crlf_ünï.py', text);
    assert.equal(ed.document.eol, vscode.EndOfLine.CRLF);
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    cursorAt(ed, 2);
    ok(await runSelection(ed));
    assert.equal(line(ed), 5, 'the def ran whole and the cursor skipped the blank line');
    assert.equal(ok(await runSelection(ed)), "'naïve ✓ 𝄞!'");
    assert.equal(line(ed), 6, 'the cursor moved on to len(s)');
    const len = await runSelection(ed);
    // Which code ran, should this fail again (once, in a full session: the value was None).
    assert.equal(ok(len), '9', `len counts code points, as Python does (ran ${JSON.stringify(len?.block?.code)} from line ${len?.block?.firstLine})`);
    const r = await runSelection(ed);
    assert.ok(r && !r.ok && /ZeroDivisionError/.test(r.error), JSON.stringify(r));
    const mark = a._test.marks(ed.document.uri).find((m) => m.kind === 'error');
    assert.equal(mark?.line, 6, 'the error mark sits on the failing line (0-based 6 is line 7)');
    assert.ok(a._test.outputText().includes(`${ed.document.uri.fsPath}:7`), 'the output names the file and line');
  });

  it('runs a notebook cell and an editor statement at the same time, on two contexts', async () => {
    const a = await api();
    const nb = await openNotebook(writeNotebook('paths-together.ipynb', ['import time\nt0 = time.monotonic()\nprint("started", flush=True)\ntime.sleep(4)\n(t0, time.monotonic())']));
    await vscode.commands.executeCommand('pyContexts.bindToContext', nb.uri, 'default:2');
    const ed = await pythonEditor('paths/together.py', 'import time; t0 = time.monotonic(); time.sleep(0.5); (t0, time.monotonic())\n', vscode.ViewColumn.Two);
    await vscode.commands.executeCommand('pyContexts.bindToContext', ed.document.uri, 'default:1');
    const python = await a.python();
    void vscode.commands.executeCommand('notebook.execute', nb.uri);
    await waitFor(() => python.context(2).stats().busy, { message: 'the notebook cell to run in default:2' });
    // `busy` is true from the start of the job: wait until the cell has taken its t0 and sleeps.
    const cell = nb.cellAt(0);
    const text = (o: vscode.NotebookCellOutput): string => o.items.map((i) => new TextDecoder().decode(i.data)).join('');
    await waitFor(() => cell.outputs.some((o) => text(o).includes('started')), { message: 'the notebook cell to start sleeping' });
    cursorAt(ed, 1);
    const stamps = (repr: string | undefined): number[] => (repr ?? '').replace(/[()]/g, '').split(',').map(Number);
    const [e0, e1] = stamps(ok(await runSelection(ed)));
    await waitFor(() => cell.executionSummary?.success !== undefined, { message: 'the cell to finish' });
    assert.equal(cell.executionSummary?.success, true);
    const value = cell.outputs.flatMap((o) => o.items).find((i) => i.mime === 'text/plain');
    const [n0, n1] = stamps(value && new TextDecoder().decode(value.data));
    assert.ok(n0! < e0! && e1! < n1!, `the editor ran inside the notebook's run: notebook ${n0}..${n1}, editor ${e0}..${e1}`);
    assert.equal(a.processFor(nb.uri)?.boundContext?.id, 'default:2');
  });

  it('binds the active editor from a context node (Bind Here), unbinds, and refreshes the tree', async () => {
    const a = await api();
    const ed = await pythonEditor('paths/bind.py', 'bound = 1\n');
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    const node = await contextNode(a, 'default:2');
    assert.equal(await vscode.commands.executeCommand('pyContexts.bindHere', node), 'default:2');
    assert.equal(a.processFor(ed.document.uri)?.boundContext?.id, 'default:2');
    await vscode.commands.executeCommand('pyContexts.unbind', ed.document.uri);
    assert.equal(a.processFor(ed.document.uri)?.boundContext, undefined);

    let fired = 0;
    const sub = a._test.tree.provider.onDidChangeTreeData?.(() => fired++);
    try {
      await vscode.commands.executeCommand('pyContexts.refreshTree');
      await waitFor(() => fired > 0, { message: 'the tree to refresh' });
    } finally {
      sub?.dispose();
    }
  });

  it('opens the settings filtered to the extension', async () => {
    await vscode.commands.executeCommand('pyContexts.openSettings');
    await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'Settings', { message: 'the Settings editor' });
  });

  it('resets a document environment and restarts a context from its tree nodes', async () => {
    const a = await api();
    const ed = await pythonEditor('paths/reset.py', 'kept = 1\nkept\n');
    await vscode.commands.executeCommand('pyContexts.bindToContext', ed.document.uri, 'default:2');
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    const doc = await waitFor(() => documentNode(a, 'default:2', ed.document.uri), { message: 'the document node' });
    assert.match(String(item(a, doc).contextValue), /;resettable;/);
    await vscode.commands.executeCommand('pyContexts.resetEnvironment', doc);
    const proc = a.processFor(ed.document.uri);
    assert.equal(await proc?.run('"kept" in globals()'), false, 'reset from the tree emptied the environment');

    cursorAt(ed, 1);
    ok(await runSelection(ed));
    const ctxNode = await contextNode(a, 'default:2');
    assert.match(String(item(a, ctxNode).contextValue), /;restartable;/);
    await vscode.commands.executeCommand('pyContexts.restartContext', ctxNode);
    await waitFor(async () => (await documentNode(a, 'default:2', ed.document.uri)) === undefined, { message: 'the restart to drop the environment' });
    assert.equal(await a.processFor(ed.document.uri)?.run('"kept" in globals()'), false, 'the restart dropped the environment');
  });

  it('interrupts the run the status bar shows when it is clicked', async () => {
    const a = await api();
    const ed = await pythonEditor('paths/status.py', 'while True: pass\n');
    cursorAt(ed, 1);
    const running = runSelection(ed);
    // The progress item appears after half a second; its command is what a click runs.
    const shown = await waitFor(() => a._test.statusBar().run, { message: 'the status bar spinner' });
    assert.match(shown, /status\.py/);
    const click = a._test.statusBar().runCommand;
    assert.ok(click, 'the spinner has a command');
    await vscode.commands.executeCommand(click.command, ...(click.arguments ?? []));
    const r = await running;
    assert.ok(r && !r.ok && /KeyboardInterrupt/.test(r.error), JSON.stringify(r));
    await waitFor(() => a._test.statusBar().run === undefined, { message: 'the spinner to go' });
  });
});
