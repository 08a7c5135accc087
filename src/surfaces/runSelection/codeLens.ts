/** "Run Cell" and "Run Above" above every `# %%` code cell of a Python file. */
import * as vscode from 'vscode';
import { Commands } from '../../manifest/ids';
import { cellsAbove, findCells } from './cells';
import { splitLines } from './selection';

export class CellCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(trustChanged: (listener: () => void) => vscode.Disposable) {
    // Lenses are hidden in Restricted Mode (running would be refused) and appear on trust.
    trustChanged(() => this.changed.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted) return [];
    const cells = findCells(splitLines(doc.getText()));
    const lenses: vscode.CodeLens[] = [];
    for (const cell of cells) {
      if (cell.markdown || !cell.hasMarker) continue;
      const range = new vscode.Range(cell.start, 0, cell.start, 0);
      lenses.push(new vscode.CodeLens(range, { title: '$(play) Run Cell', command: Commands.runCell, arguments: [doc.uri, cell.start] }));
      if (cellsAbove(cells, cell).length > 0) {
        lenses.push(new vscode.CodeLens(range, { title: 'Run Above', command: Commands.runAbove, arguments: [doc.uri, cell.start] }));
      }
    }
    return lenses;
  }
}
