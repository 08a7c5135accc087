/**
 * Inline results and error markers in editors. The marks live per document (so they come
 * back when the document is shown again) and follow edits through `marksAfterEdit`.
 */
import * as vscode from 'vscode';
import { readSettings } from '../../manifest/config';
import { marksAfterEdit, marksAfterRun, type Mark } from './inline';

export class InlineResults implements vscode.Disposable {
  private readonly marks = new Map<string, Mark[]>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly resultType = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorInlayHint.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly errorType = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorError.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
    after: { color: new vscode.ThemeColor('errorForeground'), margin: '0 0 0 2em' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });

  /**
   * The pyContexts.runSelection.inlineResults setting, read once and on changes: reading
   * it per run cost a third of a millisecond, which 100 documents finishing at once pay
   * in one turn of the event loop.
   */
  private enabled = readSettings().inlineResults;

  constructor() {
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pyContexts.runSelection.inlineResults')) this.enabled = readSettings().inlineResults;
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.edited(e)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const ed of editors) this.applyTo(ed);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.marks.delete(doc.uri.toString())),
    );
  }

  /** Shows a mark in every editor of the document, replacing older marks on the same lines. */
  show(uri: vscode.Uri, mark: Mark): void {
    if (mark.kind === 'result' && !this.enabled) return;
    const key = uri.toString();
    this.marks.set(key, marksAfterRun(this.marks.get(key) ?? [], mark));
    this.apply(key);
  }

  /** The marks of a document, for the integration tests and the exported test hooks. */
  marksFor(uri: vscode.Uri): readonly Mark[] {
    return this.marks.get(uri.toString()) ?? [];
  }

  clear(uri: vscode.Uri): void {
    this.marks.delete(uri.toString());
    this.apply(uri.toString());
  }

  private edited(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    let marks = this.marks.get(key);
    if (!marks || marks.length === 0 || e.contentChanges.length === 0) return;
    // Bottom-up, so each change's line numbers still refer to the text before it.
    const changes = [...e.contentChanges].sort((a, b) => b.range.start.line - a.range.start.line);
    for (const c of changes) {
      marks = marksAfterEdit(marks, {
        startLine: c.range.start.line,
        endLine: c.range.end.line,
        insertedLineBreaks: (c.text.match(/\n/g) ?? []).length,
      });
    }
    this.marks.set(key, marks);
    this.apply(key);
  }

  private apply(key: string): void {
    for (const ed of vscode.window.visibleTextEditors) {
      if (ed.document.uri.toString() === key) this.applyTo(ed);
    }
  }

  private applyTo(editor: vscode.TextEditor): void {
    const marks = this.marks.get(editor.document.uri.toString()) ?? [];
    const options = (kind: Mark['kind']): vscode.DecorationOptions[] =>
      marks
        .filter((m) => m.kind === kind && m.line < editor.document.lineCount)
        .map((m) => {
          const end = editor.document.lineAt(m.line).range.end;
          const hover = new vscode.MarkdownString();
          hover.appendCodeblock(m.hover, kind === 'error' ? 'text' : 'python');
          return {
            range: new vscode.Range(end, end),
            hoverMessage: hover,
            renderOptions: { after: { contentText: m.text } },
          };
        });
    editor.setDecorations(this.resultType, options('result'));
    editor.setDecorations(this.errorType, options('error'));
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.resultType.dispose();
    this.errorType.dispose();
  }
}
