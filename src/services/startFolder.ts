/**
 * The folder a document's process starts in, as Jupyter and `python file.py` would choose it:
 * a saved notebook or file runs in its own folder; anything else (untitled, virtual file
 * systems) in the first local workspace folder; with no workspace, in the host's directory
 * (undefined). Pure: VS Code's Uri and the file system come in as plain values.
 */
import * as path from 'node:path';

export interface LocalUri {
  scheme: string;
  fsPath: string;
}

export function startFolder(doc: LocalUri, workspaceFolders: readonly LocalUri[], isFolder: (p: string) => boolean): string | undefined {
  if (doc.scheme === 'file') {
    const own = path.dirname(doc.fsPath);
    if (isFolder(own)) return own;
  }
  return workspaceFolders.find((f) => f.scheme === 'file' && isFolder(f.fsPath))?.fsPath;
}
