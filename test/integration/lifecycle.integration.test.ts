// Documents as processes: two editors isolated on one context, binding through the command
// and its quick pick, reset and restart, and closing a document freeing its environment.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, cursorAt, ok, pythonEditor, runSelection } from './_extension';
import { closeAllEditors, waitFor, workspaceFile } from './_helpers';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

describe('documents and their processes', () => {
  after(closeAllEditors);

  it('keeps two editors bound to the same context isolated', async () => {
    const a = await api();
    const left = await pythonEditor('life/left.py', 'who = "left"\nwho\n', vscode.ViewColumn.One);
    const right = await pythonEditor('life/right.py', 'who = "right"\nwho\n', vscode.ViewColumn.Two);
    for (const ed of [left, right]) {
      assert.equal(await vscode.commands.executeCommand('pyContexts.bindToContext', ed.document.uri, 'default:1'), 'default:1');
    }
    for (const ed of [left, right]) {
      cursorAt(ed, 1);
      ok(await runSelection(ed));
    }
    cursorAt(left, 2);
    assert.equal(ok(await runSelection(left)), "'left'");
    cursorAt(right, 2);
    assert.equal(ok(await runSelection(right)), "'right'");
    const pl = a.processFor(left.document.uri);
    const pr = a.processFor(right.document.uri);
    assert.ok(pl && pr && pl !== pr);
    assert.equal(pl.boundContext?.id, 'default:1');
    assert.equal(pr.boundContext?.id, 'default:1');
    assert.equal(pl.boundContext, pr.boundContext, 'same context object');
  });

  it('binds through the quick pick of the Bind to Context command', async () => {
    const a = await api();
    const ed = await pythonEditor('life/picked.py', 'import threading\nthreading.current_thread().name\n', vscode.ViewColumn.One);
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    const pending = vscode.commands.executeCommand<string | undefined>('pyContexts.bindToContext');
    // Wait for the pick itself, focus the row by its label, and accept it as Enter does.
    const pick = await waitFor(() => a._test.shownPick(), { message: 'the Bind to Context quick pick' });
    const row = pick.labels.find((l) => l.includes('default:2'));
    assert.ok(row && pick.focus(row), `no default:2 row in ${pick.labels.join(' | ')}`);
    await waitFor(() => pick.active() === row, { message: `the workbench to focus ${row}` });
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal(await pending, 'default:2');
    assert.equal(a.processFor(ed.document.uri)?.boundContext?.id, 'default:2');
    assert.equal(await vscode.commands.executeCommand('pyContexts.bindToContext', ed.document.uri, 'auto'), undefined);
    assert.equal(a.processFor(ed.document.uri)?.boundContext, undefined);
  });

  it("interrupts only the document's own code, never another document's on the same context", async () => {
    const a = await api();
    const spin = await pythonEditor('life/spin.py', 'n = 0\nwhile True: n += 1\nn > 0\n', vscode.ViewColumn.One);
    const wait = await pythonEditor('life/waiting.py', 'queued = 1\n', vscode.ViewColumn.Two);
    for (const ed of [spin, wait]) await vscode.commands.executeCommand('pyContexts.bindToContext', ed.document.uri, 'default:1');
    cursorAt(spin, 1);
    ok(await runSelection(spin));
    cursorAt(spin, 2);
    const spinning = runSelection(spin);
    const ctx = (await a.python()).context(1);
    try {
      await waitFor(() => ctx.stats().busy, { message: 'default:1 busy' });
      cursorAt(wait, 1);
      const queued = runSelection(wait);
      await waitFor(() => ctx.stats().queued > 0, { message: 'the second run to queue' });

      // Interrupting the queued document abandons its run and leaves the loop running.
      await vscode.commands.executeCommand('pyContexts.interrupt', wait.document.uri);
      const q = await queued;
      assert.ok(q && !q.ok && /Interrupted/.test(q.error), JSON.stringify(q));
      assert.ok(ctx.stats().busy, 'the other document was interrupted');
    } finally {
      // Whatever happened above, the loop must not outlive this test.
      await vscode.commands.executeCommand('pyContexts.interrupt', spin.document.uri);
    }

    // Interrupting the looping document (done above) stops it with a KeyboardInterrupt at its line.
    const r = await spinning;
    assert.ok(r && !r.ok && /KeyboardInterrupt/.test(r.error), JSON.stringify(r));
    const mark = a._test.marks(spin.document.uri).find((m) => m.kind === 'error');
    assert.equal(mark?.line, 1, 'the marker sits on the loop');
    cursorAt(spin, 3);
    assert.equal(ok(await runSelection(spin)), 'True', 'the loop ran and the context still works');
  });

  it('resets a document environment, and a context restart drops it', async () => {
    const a = await api();
    const ed = await pythonEditor('life/reset.py', 'kept = 1\nkept\n', vscode.ViewColumn.One);
    await vscode.commands.executeCommand('pyContexts.bindToContext', ed.document.uri, 'default:2');
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    await vscode.commands.executeCommand('pyContexts.resetEnvironment', ed.document.uri);
    cursorAt(ed, 2);
    let r = await runSelection(ed);
    assert.ok(r && !r.ok && /NameError/.test(r.error), 'the reset environment still had `kept`');
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    await vscode.commands.executeCommand('pyContexts.restartContext', 'default:2');
    await waitFor(() => a._test.outputText().includes('default:2 restarted'), { message: 'the restart notice' });
    cursorAt(ed, 2);
    r = await runSelection(ed);
    assert.ok(r && !r.ok && /NameError/.test(r.error), 'the environment survived a context restart');
  });

  it('keeps the process when only the language of the document changes', async () => {
    const a = await api();
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'keep = 7\nkeep\n' });
    const ed = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    const proc = a.processFor(doc.uri);
    assert.ok(proc);
    // VS Code reports a language change as a close followed by an open of the same URI.
    const plain = await vscode.languages.setTextDocumentLanguage(doc, 'plaintext');
    const back = await vscode.languages.setTextDocumentLanguage(plain, 'python');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(proc.closed, false, 'the process closed on a language change');
    const shown = await vscode.window.showTextDocument(back, { viewColumn: vscode.ViewColumn.One, preview: false });
    cursorAt(shown, 2);
    assert.equal(ok(await runSelection(shown)), '7');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor(() => proc.closed, { message: 'the process to close with its document' });
  });

  it('closes the process of an untitled document when it closes, freeing its environment', async () => {
    const a = await api();
    const python = await a.python();
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'big = list(range(1000))\nlen(big)\n' });
    const ed = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
    await vscode.commands.executeCommand('pyContexts.bindToContext', doc.uri, 'default:1');
    const ctx = python.context(1);
    // Processes closed by earlier tests free their environments on their threads a little
    // later; counting before that would expect a number that then drops below.
    await waitFor(() => python.processes().every((p) => !p.closed), { message: 'earlier closed processes to be freed' });
    const envsBefore = ctx.stats().environments;
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    assert.equal(ok(await runSelection(ed)), '1000');
    const proc = a.processFor(doc.uri);
    assert.ok(proc);
    assert.equal(ctx.stats().environments, envsBefore + 1);
    // Documents of earlier tests may still close meanwhile: VS Code keeps one opened through
    // the API for minutes after its editor closed. Their environments here are counted out.
    const envsOpen = envsBefore + 1;
    const others = python.processes().filter((p) => p !== proc && p.contextsUsed.includes(ctx));
    const othersFreed = (): number => others.filter((p) => !python.processes().includes(p)).length;
    const closed = waitFor(() => proc.closed, { message: 'the process to close' });
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await closed;
    assert.equal(a.processFor(doc.uri), undefined);
    // close() marks the process closed at once and leaves the engine's list when its
    // environments have been freed on their threads.
    await waitFor(() => !python.processes().includes(proc), { message: 'the process to leave the engine' });
    await waitFor(() => ctx.stats().environments === envsOpen - 1 - othersFreed(), {
      message: () => `the environment to be freed (${ctx.stats().environments} on the context; ${envsOpen} with the document open, ${othersFreed()} of other processes freed since)`,
    }).catch(async (e: unknown) => {
      // Whose environments the context still has, as Python sees them (diagnosis only).
      const probe = python.process(`diagnosis-${Date.now()}`);
      const live = await probe.run(
        "import gc\nsorted(d['__py_contexts_process__'] for d in gc.get_objects() if type(d) is dict and '__py_contexts_process__' in d)",
        { context: ctx },
      ).catch((err: unknown) => String(err));
      await probe.close();
      const known = python.processes().filter((p) => p.contextsUsed.includes(ctx)).map((p) => `${p.id}${p.closed ? ' (closed)' : ''}`);
      throw new Error(`${(e as Error).message}; environments there: ${JSON.stringify(live)}; processes using it: ${JSON.stringify(known)}; this one: ${proc.id}`);
    });
  });

  it('closes the process of a file when its editor closes', async () => {
    const a = await api();
    const uri = workspaceFile('life/closing.py');
    mkdirSync(dirname(uri.fsPath), { recursive: true });
    writeFileSync(uri.fsPath, 'z = 3\n');
    // Opened as a user opens it: workspace.openTextDocument would keep the document alive in
    // the extension host for minutes after its editor closes.
    await vscode.commands.executeCommand('vscode.open', uri);
    const ed = await waitFor(() => vscode.window.activeTextEditor?.document.uri.toString() === uri.toString() && vscode.window.activeTextEditor, { message: 'closing.py active' });
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    const proc = a.processFor(uri);
    assert.ok(proc);
    await closeAllEditors();
    await waitFor(() => proc.closed, { timeoutMs: 60_000, message: 'the file process to close' });
    assert.equal(a.processFor(uri), undefined);
  });
});
