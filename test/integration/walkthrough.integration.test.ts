// The README's overview picture, made from the demo file a user sees with `npm start`:
// cells run with inline results and an error marker, the Context Pool tree with the
// document's variables, the status bar. It runs last in the session (files run in name
// order) and asserts what the picture is meant to show.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/surfaces/contextTree/provider';
import { api } from './_extension';
import { closeAllEditors, screenshot, waitFor, workspaceFile } from './_helpers';

const repo = process.env['PY_CONTEXTS_REPO'] ?? join(__dirname, '../../..');

describe('walkthrough of the demo file', () => {
  after(closeAllEditors);

  it('runs the demo cells and shows results, an error marker and variables', async () => {
    const a = await api();
    const uri = workspaceFile('demo/analysis.py');
    mkdirSync(dirname(uri.fsPath), { recursive: true });
    copyFileSync(join(repo, 'demo/analysis.py'), uri.fsPath);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });

    // A clean context for the picture: earlier tests' documents stay on default:1.
    await vscode.commands.executeCommand('pyContexts.restartContext', 'default:2');
    assert.equal(await vscode.commands.executeCommand('pyContexts.bindToContext', uri, 'default:2'), 'default:2');

    const lines = doc.getText().split('\n');
    const marker = (title: string): number => lines.findIndex((l) => l.startsWith('# %%') && l.includes(title));
    const run = (line: number): Thenable<{ ok: boolean; value?: { repr: string } } | undefined> =>
      vscode.commands.executeCommand('pyContexts.runCell', uri, line);
    const data = await run(marker('Some data'));
    assert.deepEqual([data?.ok, data?.value?.repr], [true, '5']);
    const summary = await run(marker('Functions run as a whole'));
    assert.equal(summary?.value?.repr, "{'mean': 19.9, 'spread': 2.27, 'warmest': 'Fri'}");
    const failed = await run(marker('Errors point at the real line'));
    assert.equal(failed?.ok, false);
    const grid = await run(marker('A bigger value'));
    assert.equal(grid?.ok, true);

    const marks = a._test.marks(uri);
    assert.ok(marks.some((m) => m.kind === 'result' && m.text.startsWith("→ {'mean': 19.9")), 'summary result inline');
    const err = marks.find((m) => m.kind === 'error');
    assert.ok(err && /ValueError: -300 °C is below absolute zero/.test(err.text));
    assert.equal(lines[err.line]?.trim(), 'raise ValueError(f"{celsius} °C is below absolute zero")');

    // The tree: collapse what earlier tests left open, then reveal this document's variables.
    await vscode.commands.executeCommand('pyContexts.contextPool.focus');
    await vscode.commands.executeCommand('workbench.actions.treeView.pyContexts.contextPool.collapseAll');
    const provider = a._test.tree.provider;
    const docNode = await waitFor(async () => {
      for (const pool of ((await provider.getChildren(undefined)) ?? []) as TreeNode[]) {
        for (const ctx of ((await provider.getChildren(pool)) ?? []) as TreeNode[]) {
          if (ctx.kind !== 'context' || ctx.ctx.id !== 'default:2') continue;
          const found = (((await provider.getChildren(ctx)) ?? []) as TreeNode[]).find((d) => d.kind === 'document' && d.proc.id === uri.toString());
          if (found) return found;
        }
      }
      return undefined;
    }, { message: 'analysis.py under default:2' });
    await a._test.tree.view.reveal(docNode, { expand: true, focus: false, select: false });
    const vars = ((await provider.getChildren(docNode)) ?? []) as TreeNode[];
    const names = vars.map((v) => (v.kind === 'variable' ? v.info.name : ''));
    for (const n of ['temperatures', 'summary', 'kelvin', 'grid']) assert.ok(names.includes(n), `${n} missing from ${names.join(', ')}`);
    const temps = vars.find((v) => v.kind === 'variable' && v.info.name === 'temperatures');
    if (temps) await a._test.tree.view.reveal(temps, { expand: true, focus: false, select: false });

    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
    // From the summary() call down to the failing kelvin(-300): a result and the error marker.
    const top = lines.findIndex((l) => l.startsWith('summary(temperatures)')) - 1;
    editor.revealRange(new vscode.Range(top, 0, top, 0), vscode.TextEditorRevealType.AtTop);
    await vscode.commands.executeCommand('pyContexts.showOutput');
    await screenshot('overview');
  });
});
