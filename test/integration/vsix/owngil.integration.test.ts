// Issue 9: a notebook bound to an own-GIL context, whose import of a C extension that refuses
// sub-interpreters fails, tells the user why in the cell's error output. Runs in every vsix
// session (one per interpreter): on 3.13 the pool starts and the imports fail with the clear
// message; where the interpreter refuses own-GIL pools (3.11, 3.13t) binding to one is refused,
// and the notebook keeps running where it was.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, waitFor, workspaceFile } from '../_helpers';
import { closeNotebooks, codeCells, dump, error, openNotebook, run, streamText, writeNotebook } from '../_notebooks';

const POOLS = { default: 2, cpu: { size: 2, mode: 'owngil' } };

describe('a notebook in an own-GIL context (issue 9)', () => {
  after(async () => {
    await closeNotebooks();
    await vscode.workspace.getConfiguration('pyContexts').update('pools', undefined, vscode.ConfigurationTarget.Global);
    // "The new Python settings apply after a window reload" must not cover later screenshots.
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('says why an import fails there: "X cannot be imported in an own-GIL context; use a worker pool"', async function () {
    this.timeout(180_000);
    const a = await api();
    const py = await a.python();
    const caps = py.capabilities();
    await vscode.workspace.getConfiguration('pyContexts').update('pools', POOLS, vscode.ConfigurationTarget.Global);

    // A package that, like numpy, catches its single-phase extension's refusal and raises an
    // ImportError of its own; readline is such an extension itself.
    const pkgDir = workspaceFile('notebooks/owngil-packages').fsPath;
    mkdirSync(join(pkgDir, 'needs_c_ext'), { recursive: true });
    writeFileSync(join(pkgDir, 'needs_c_ext', '__init__.py'),
      'try:\n    import readline  # noqa: F401\nexcept ImportError as exc:\n    raise ImportError("IMPORTANT: could not load the C extension") from exc\n');
    const uri = writeNotebook('owngil-import.ipynb', [
      `import sys\nsys.path.insert(0, ${JSON.stringify(pkgDir)})\nprint("own GIL:", __import__("_py_contexts_native").own_gil())`,
      'import readline',
      'import needs_c_ext',
      'print(sum(range(10)))',
    ]);
    const doc = await openNotebook(uri);
    const bound = await vscode.commands.executeCommand<string | undefined>('pyContexts.bindToContext', uri, 'cpu:1');
    const proc = await waitFor(() => a.processFor(uri), { message: 'a process for the notebook' });
    const [setup, readline, wrapped, after] = codeCells(doc);
    // One cell at a time: a failing cell stops the cells queued after it, as in Jupyter.
    const runEach = async () => {
      for (let i = 0; i < doc.cellCount; i++) await run(doc, [i]);
    };

    if (!caps.ownGil) {
      // 3.11 and 3.13t refuse the pool: the bind is refused (with a notification saying why,
      // the refusal's message) and the notebook runs in its worker context as before.
      assert.equal(bound, undefined);
      assert.equal(py.poolStarted('cpu'), false);
      assert.notEqual(proc.boundContext?.id, 'cpu:1');
      await runEach();
      assert.match(streamText(setup!), /own GIL: False/, dump(setup!));
      assert.equal(readline!.executionSummary?.success, true, dump(readline!));
      assert.equal(streamText(after!).trim(), '45', dump(after!));
      return;
    }

    assert.equal(bound, 'cpu:1');
    assert.equal(proc.boundContext?.id, 'cpu:1');
    assert.deepEqual(py.contexts('cpu').map((c) => c.mode), ['owngil', 'owngil']);
    await runEach();
    assert.match(streamText(setup!), /own GIL: True/, dump(setup!));
    for (const [cell, name] of [[readline!, 'readline'], [wrapped!, 'needs_c_ext']] as const) {
      assert.equal(cell.executionSummary?.success, false, dump(cell));
      const e = error(cell);
      assert.match(e.name, /ImportError/, dump(cell));
      assert.match(`${e.name}: ${e.message}`, new RegExp(`${name} cannot be imported in an own-GIL context; use a worker pool`), dump(cell));
    }
    // The context lives on: the next cell runs in it.
    assert.equal(after!.executionSummary?.success, true, dump(after!));
    assert.equal(streamText(after!).trim(), '45');
  });
});
