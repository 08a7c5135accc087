// Shared state and calls from Python into VS Code (issue 10), in the real extension host:
// `from py_contexts import vscode` reaching the window, Cancel of a progress interrupting the
// code, the API's registerFunction, and the "Shared state" node of the Context Pool tree.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/surfaces/contextTree/provider';
import type { ProgressSink, CancelToken } from '../../src/surfaces/hostFunctions/functions';
import { api } from './_extension';
import { clickNotificationButton, waitFor } from './_helpers';

type Api = Awaited<ReturnType<typeof api>>;

/** The error type of a PythonError (the extension's bundle has its own class, so no instanceof). */
function pyType(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'type' in e ? String((e as { type: unknown }).type) : undefined;
}

function item(a: Api, node: TreeNode): vscode.TreeItem {
  return a._test.tree.provider.getTreeItem(node) as vscode.TreeItem;
}

describe('Shared state and calls into VS Code', () => {
  it('show_information_message returns the item the user chose', async () => {
    const a = await api();
    const py = await a.python();
    const asked: { level: string; message: string; items: string[] }[] = [];
    const standIn = a._test.hostFunctions.standIn({
      showMessage: async (level, message, items) => {
        asked.push({ level, message, items });
        return items[1];
      },
    });
    try {
      const out = await py.process('itest-hostfn-message').run(`
from py_contexts import vscode
vscode.window.show_information_message("Deploy now?", "Yes", "Later")`);
      assert.equal(out, 'Later');
      assert.deepEqual(asked, [{ level: 'info', message: 'Deploy now?', items: ['Yes', 'Later'] }]);
    } finally {
      standIn.dispose();
    }
    // A dismissed message (VS Code answers undefined) is None.
    const dismissed = a._test.hostFunctions.standIn({ showMessage: async () => undefined });
    try {
      assert.equal(await py.process('itest-hostfn-message').run('vscode.window.show_warning_message("x", "A") is None'), true);
    } finally {
      dismissed.dispose();
    }
  });

  it('Cancel of a progress raises KeyboardInterrupt in the code', async () => {
    const a = await api();
    const py = await a.python();
    const reports: { message?: string; increment?: number }[] = [];
    let started: { title: string; cancellable: boolean } | undefined;
    const standIn = a._test.hostFunctions.standIn({
      withProgress: async (title, cancellable, task) => {
        started = { title, cancellable };
        const listeners: (() => void)[] = [];
        let cancelled = false;
        const token: CancelToken = {
          get isCancellationRequested() { return cancelled; },
          onCancellationRequested: (l) => { listeners.push(l); return { dispose: () => undefined }; },
        };
        const sink: ProgressSink = {
          report: (v) => {
            reports.push(v);
            // The user presses Cancel after the third step.
            if (reports.length === 3) setTimeout(() => { cancelled = true; for (const l of listeners) l(); }, 10);
          },
        };
        await task(sink, token);
      },
    });
    try {
      const err = await py.process('itest-hostfn-progress').run(`
import time
from py_contexts import vscode
with vscode.window.progress("Training", cancellable=True) as p:
    for i in range(600):
        p.report(f"epoch {i}", 1)
        time.sleep(0.05)
`, { timeoutMs: 20000 }).catch((e: unknown) => e);
      assert.equal(pyType(err), 'KeyboardInterrupt', String(err));
      assert.deepEqual(started, { title: 'Training', cancellable: true });
      assert.ok(reports.length >= 3 && reports.length < 100, `${reports.length} reports`);
      assert.deepEqual(reports[0], { message: 'epoch 0', increment: 1 });
    } finally {
      standIn.dispose();
    }
  });

  it('a real information message: the user clicks a button and Python gets its label', async () => {
    const a = await api();
    const py = await a.python();
    const answer = py.process('itest-hostfn-real-message').run(`
from py_contexts import vscode
vscode.window.show_information_message("Py Contexts test: deploy the model?", "Deploy", "Not now")`, { timeoutMs: 60_000 });
    // The harness clicks the button in the workbench once it shows (in the notification
    // centre: a workbench under test shows no toasts, so the test opens the centre as the bell would).
    await vscode.commands.executeCommand('notifications.showList');
    clickNotificationButton('Not now');
    assert.equal(await answer, 'Not now');
  });

  it('a real progress notification: clicking its Cancel raises KeyboardInterrupt in the code', async () => {
    const a = await api();
    const py = await a.python();
    await py.state.set('itest-progress-steps', 0);
    const steps = (): Promise<number> => py.state.incr('itest-progress-steps', 0);
    const run = py.process('itest-hostfn-real-progress').run(`
import time
from py_contexts import vscode, state
with vscode.window.progress("Py Contexts test: training", cancellable=True) as p:
    for i in range(1200):
        p.report(f"epoch {i}", 0.05)
        state.incr('itest-progress-steps')
        time.sleep(0.05)
`, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    const t0 = Date.now();
    while ((await steps()) < 3) {
      assert.ok(Date.now() - t0 < 30_000, 'the loop never reported');
      await new Promise((r) => setTimeout(r, 50));
    }
    await vscode.commands.executeCommand('notifications.showList');
    clickNotificationButton('Cancel');
    const err = await run;
    assert.equal(pyType(err), 'KeyboardInterrupt', String(err));
    const done = await steps();
    assert.ok(done >= 3 && done < 1200, `${done} steps ran`);
  });

  it('calls a function registered through the extension API, and workspace.folders from VS Code', async () => {
    const a = await api();
    const reg = a.registerFunction('itest.greet', ((name: string) => `hello ${name}`) as never);
    try {
      assert.throws(() => a.registerFunction('vscode.mine', (() => 1) as never), /reserved/);
      const py = await a.python();
      const out = await py.process('itest-hostfn-api').run(`
from py_contexts import host, vscode
[host.call("itest.greet", "py"), vscode.workspace.folders]`);
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      assert.deepEqual(out, ['hello py', folders]);
    } finally {
      reg.dispose();
    }
    const py = await a.python();
    const gone = await py.process('itest-hostfn-api').run('host.call("itest.greet", "py")').catch((e: unknown) => e);
    assert.equal(pyType(gone), 'NameError', String(gone));
  });

  it('vscode.open opens a file at a line', async () => {
    const a = await api();
    const py = await a.python();
    const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'hostfn-open.txt');
    await vscode.workspace.fs.writeFile(file, Buffer.from('one\ntwo\nthree\nfour\n'));
    await py.process('itest-hostfn-open').run(`from py_contexts import vscode\nvscode.open(${JSON.stringify(file.fsPath)}, line=3)`);
    const editor = await waitFor(() => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.fsPath === file.fsPath ? e : undefined;
    }, { message: 'the opened file' });
    assert.equal(editor.selection.active.line, 2);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('calls a function that a second extension registered through the API', async () => {
    const a = await api();
    const other = vscode.extensions.getExtension<{ registered: string[] }>('py-contexts-test.host-function-fixture');
    assert.ok(other, 'the test-only extension is loaded beside ours');
    const exports = other.isActive ? other.exports : await other.activate();
    assert.deepEqual(exports.registered, ['fixture.shout']);
    const py = await a.python();
    assert.equal(await py.process('itest-hostfn-other').run('from py_contexts import host\nhost.call("fixture.shout", "hello")'), 'HELLO!');
  });

  it('shows the shared state in the Context Pool tree', async () => {
    const a = await api();
    const py = await a.python();
    await py.process('itest-hostfn-state').run('from py_contexts import state\nstate["itest_answer"] = [4, 2]');
    const node = await waitFor(async () => {
      const roots = (await a._test.tree.provider.getChildren()) ?? [];
      const n = roots.find((r) => r.kind === 'sharedState');
      return n && /key/.test(String(item(a, n).description)) ? n : undefined;
    }, { message: 'the Shared state node' });
    assert.equal(item(a, node).label, 'Shared state');
    const entries = (await a._test.tree.provider.getChildren(node)) ?? [];
    const entry = entries.find((e) => item(a, e).label === 'itest_answer');
    assert.ok(entry, 'the key is listed');
    assert.equal(item(a, entry).description, '[4, 2]');
    await py.state.delete('itest_answer');
  });
});
