import * as assert from 'node:assert/strict';
import { startFolder } from '../../src/services/startFolder';
import { documentTooltip } from '../../src/surfaces/contextTree/model';

describe('the folder a document runs in', () => {
  const folders = new Set(['/ws', '/ws/nb', '/other']);
  const isFolder = (p: string) => folders.has(p);
  const file = (fsPath: string) => ({ scheme: 'file', fsPath });
  const ws = [{ scheme: 'vscode-vfs', fsPath: '/remote' }, file('/ws'), file('/other')];
  const table: [string, { scheme: string; fsPath: string }, readonly { scheme: string; fsPath: string }[], string | undefined][] = [
    ['a saved notebook: its own folder', file('/ws/nb/analysis.ipynb'), ws, '/ws/nb'],
    ['a saved file outside the workspace: its own folder', file('/other/script.py'), ws, '/other'],
    ['untitled: the first local workspace folder', { scheme: 'untitled', fsPath: 'Untitled-1' }, ws, '/ws'],
    ['a file whose folder is gone: the workspace folder', file('/gone/x.py'), ws, '/ws'],
    ['untitled without a workspace: the host directory', { scheme: 'untitled', fsPath: 'Untitled-1' }, [], undefined],
  ];
  for (const [label, doc, workspace, expected] of table) {
    it(label, () => assert.equal(startFolder(doc, workspace, isFolder), expected));
  }

  it('shows the folder in the tree tooltip', () => {
    assert.equal(documentTooltip('/ws/nb/a.ipynb', '/ws/nb', undefined), '/ws/nb/a.ipynb\nRuns in /ws/nb\nRouted automatically');
    assert.equal(documentTooltip('untitled:Untitled-1', '/ws', 'default:2'), 'untitled:Untitled-1\nRuns in /ws\nBound to default:2');
  });
});
