// Issue 15 in a real VS Code: a notebook cell that awaits at the top level, pickles its own
// class and starts a thread that prints after the cell ended (the text lands in that cell, as
// in Jupyter); a file run from its editor sees __file__ and sys.argv[0], awaits, and its
// thread's late output lands in the output channel under the document's name; Run Selection
// awaits at the top level, shows the awaited value inline, and keeps the document's tasks
// running between selections.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, cursorAt, ok, pythonEditor, runLines, runSelection } from './_extension';
import { closeAllEditors, waitFor } from './_helpers';
import { openNotebook, writeNotebook } from './_notebooks';

const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

async function runAll(doc: vscode.NotebookDocument): Promise<void> {
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: doc.cellCount }], document: doc.uri });
  await waitFor(() => doc.getCells().every((c) => c.executionSummary?.success !== undefined && c.executionSummary.timing !== undefined), {
    timeoutMs: 60_000,
    message: 'every cell to finish',
  });
}

function outputText(cell: vscode.NotebookCell, mime: string): string {
  return cell.outputs.flatMap((o) => o.items).filter((i) => i.mime === mime).map((i) => text(i.data)).join('');
}

describe('fidelity (issue 15)', () => {
  afterEach(async () => {
    for (let i = 0; i < 20 && vscode.window.activeNotebookEditor; i++) {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await closeAllEditors();
  });

  it('notebook: top-level await, pickling a cell\'s class, and a thread\'s output after its cell ended', async () => {
    const doc = await openNotebook(writeNotebook('fidelity.ipynb', [
      'import asyncio\nawait asyncio.sleep(0.05)\nprint("awaited")\n6 * 7',
      'import pickle\nclass Pt:\n    pass\ntype(pickle.loads(pickle.dumps(Pt()))).__name__',
      'import threading, time\ndef worker():\n    print("in the cell")\n    time.sleep(0.5)\n    print("after the cell")\nthreading.Thread(target=worker).start()\ntime.sleep(0.1)',
    ]));
    await runAll(doc);
    const [c1, c2, c3] = doc.getCells();
    assert.ok(c1 && c2 && c3);
    assert.equal(outputText(c1, STDOUT_MIME), 'awaited\n');
    assert.equal(outputText(c1, 'text/plain'), '42');
    assert.equal(outputText(c2, 'text/plain'), "'Pt'");
    // The thread's second line comes after the cell ended; it is appended to that cell.
    await waitFor(() => outputText(c3, STDOUT_MIME) === 'in the cell\nafter the cell\n', {
      timeoutMs: 10_000,
      message: `the thread's late output in cell 3 (has ${JSON.stringify(outputText(c3, STDOUT_MIME))})`,
    });
    // The cell keeps its count and its ✓ (the late output's short execution ends as the cell did).
    await waitFor(() => c3.executionSummary?.executionOrder === 3 && c3.executionSummary.success === true, {
      message: `cell 3 to keep [3] and ✓ (has ${JSON.stringify(c3.executionSummary)})`,
    });
  });

  it('Run File: __file__ and sys.argv[0] are the path, it may await, and a late thread prints under the document\'s name', async () => {
    const a = await api();
    const editor = await pythonEditor('fidelity/script_semantics.py', [
      'import asyncio, sys, threading, time',
      'await asyncio.sleep(0.01)',
      'print("file", __file__ == sys.argv[0], __file__.endswith("script_semantics.py"))',
      'threading.Timer(0.3, lambda: print("late from a timer thread")).start()',
      '',
    ].join('\n'));
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('pyContexts.runFile', editor.document.uri);
    assert.ok(r?.ok, JSON.stringify(r));
    await waitFor(() => a._test.outputText().includes('[script_semantics.py] file True True'), { message: 'the script line' });
    await waitFor(() => a._test.outputText().includes('[script_semantics.py] late from a timer thread'), {
      timeoutMs: 10_000,
      message: 'the timer thread\'s output under the document\'s tag',
    });
  });

  it('Run Selection: top-level await, the awaited value inline, and the state and tasks after', async () => {
    const a = await api();
    const editor = await pythonEditor('fidelity/awaiting.py', [
      'async def some_coroutine():', //                   1
      '    await asyncio.sleep(0.01)', //                   2
      '    return 42', //                                   3
      '', //                                                4
      'import asyncio', //                                  5
      'await asyncio.sleep(0.01)', //                       6
      'x = await some_coroutine()', //                      7
      'x, await asyncio.sleep(0, result="awaited")', //     8
      'task = asyncio.ensure_future(some_coroutine())', //  9
      'await task + x', //                                  10
      '',
    ].join('\n'));
    assert.equal(ok(await runLines(editor, 1, 3)), undefined);
    // The three lines of the issue, selected and run together.
    assert.equal(ok(await runLines(editor, 5, 7)), undefined);
    // The state after: x holds the awaited result, and an awaited trailing value shows inline.
    cursorAt(editor, 8);
    assert.equal(ok(await runSelection(editor)), "(42, 'awaited')");
    const mark = a._test.marks(editor.document.uri).find((m) => m.line === 7);
    assert.equal(mark?.text, "→ (42, 'awaited')");
    // A task created by one selection goes on until a later one awaits it (one loop per document).
    assert.equal(ok(await runLines(editor, 9)), undefined);
    assert.equal(ok(await runLines(editor, 10)), '84');
    assert.ok(a._test.marks(editor.document.uri).some((m) => m.line === 9 && m.text === '→ 84'));
  });
});
