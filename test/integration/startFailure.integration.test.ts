// A Python that cannot start (missing, unsupported version, no shared libpython) gives one
// clear notification with the fix and an "Open Settings" button, the tree shows the error,
// and nothing crashes. The running extension's engine is healthy, so this builds a second
// EngineService (the same class the extension uses) around a start function that fails the
// way the engine does, and watches the notifications it raises.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EngineService } from '../../src/services/engine';
import type { OutputSink, SurfaceHost } from '../../src/services/surfaceHost';
import { TrustGuard } from '../../src/services/trust';
import { EngineStartError } from '../../src/engine/errors';
import type { Python } from '../../src/engine/types';
import { ContextTreeProvider, type TreeNode } from '../../src/surfaces/contextTree/provider';
import { waitFor } from './_helpers';

describe('Python that cannot start', () => {
  const shown: { message: string; items: string[] }[] = [];
  const infos: string[] = [];
  const window = vscode.window as { showErrorMessage: (...args: unknown[]) => Thenable<unknown> };
  const original = window.showErrorMessage;
  let starts = 0;
  let engine: EngineService;

  before(() => {
    window.showErrorMessage = (message: unknown, ...items: unknown[]) => {
      shown.push({ message: String(message), items: items.filter((i): i is string => typeof i === 'string') });
      return Promise.resolve(undefined);
    };
    const sink: OutputSink = {
      stream: () => undefined,
      run: () => ({ write: () => undefined, end: () => Promise.resolve() }),
      fullOutputFile: () => {
        throw new Error('not used by the engine service');
      },
      error: () => undefined,
      info: (m) => infos.push(m),
      show: () => undefined,
    };
    engine = new EngineService(
      (): Promise<Python> => {
        starts++;
        return Promise.reject(
          new EngineStartError(
            'unsupported-python',
            "The Python at '/opt/py3.12/bin/python3' is 3.12.8, but this package has no engine core for Python 3.12.",
            'Set pyContexts.pythonPath to a Python this package includes (3.11, 3.13, 3.13t).',
          ),
        );
      },
      new TrustGuard(),
      sink,
    );
  });
  after(async () => {
    window.showErrorMessage = original;
    await engine.dispose();
  });

  it('rejects with the reason, shows one notification with the fix and Open Settings, and logs it', async () => {
    await assert.rejects(engine.python(), /no engine core for Python 3\.12/);
    assert.equal(engine.status.kind, 'failed');
    await waitFor(() => shown.length === 1, { message: 'the notification' });
    assert.match(shown[0]!.message, /Python could not start/);
    assert.match(shown[0]!.message, /Set pyContexts\.pythonPath to a Python this package includes/);
    assert.deepEqual(shown[0]!.items, ['Open Settings', 'Show Output']);
    assert.ok(infos.some((m) => /Python could not start: .*3\.12.*\nFix: Set pyContexts\.pythonPath/s.test(m)), infos.join('\n'));
  });

  it('does not retry or notify again on later use', async () => {
    await assert.rejects(engine.python(), /Fix: Set pyContexts\.pythonPath/);
    await assert.rejects(engine.python());
    assert.equal(starts, 1);
    assert.equal(shown.length, 1);
  });

  it('shows the error state in the Context Pool tree, which still lists the pools', async () => {
    const trust = new TrustGuard();
    // The tree reads only these; no documents are open here, so nothing shares an environment.
    const host = {
      get current() {
        return engine.current;
      },
      get status() {
        return engine.status;
      },
      interpreter: undefined,
      get trusted() {
        return trust.trusted;
      },
      extensionUri: vscode.Uri.file('/nonexistent'),
      onDidChange: engine.onDidChange,
      python: () => engine.python(),
      onDidChangeSharing: () => ({ dispose: () => undefined }),
      documentsOf: () => [],
    } as Partial<SurfaceHost> as SurfaceHost;
    const tree = new ContextTreeProvider(host);
    try {
      const roots = (await tree.getChildren(undefined)) as TreeNode[];
      const first = tree.getTreeItem(roots[0]!) as vscode.TreeItem;
      assert.equal(first.label, 'Python could not start');
      assert.match(String(first.description), /3\.12/);
      assert.match(String(first.tooltip), /Fix: Set pyContexts\.pythonPath/);
      assert.equal(first.command?.command, 'pyContexts.openSettings');
      const pool = roots.find((r) => r.kind === 'pool');
      assert.ok(pool, 'the pools are still listed');
      const below = (await tree.getChildren(pool)) as TreeNode[];
      assert.equal(below.length, 1);
      assert.equal((tree.getTreeItem(below[0]!) as vscode.TreeItem).label, 'Not available');
    } finally {
      tree.dispose();
    }
  });
});
