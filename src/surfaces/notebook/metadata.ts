/**
 * Reading the Jupyter metadata of a notebook as VS Code's ipynb serializer exposes it, and
 * where a cell's code says it comes from. Plain TypeScript, no `vscode`.
 */

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The notebook-level Jupyter metadata (`kernelspec`, `language_info`, …). The ipynb
 * serializer has kept it at `metadata.metadata` since VS Code 1.8x and at
 * `metadata.custom.metadata` before that; both are read.
 */
export function jupyterMetadata(notebookMetadata: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return record(notebookMetadata?.['metadata']) ?? record(record(notebookMetadata?.['custom'])?.['metadata']);
}

/**
 * True when the notebook says it is written in Python: `language_info.name` or
 * `kernelspec.language` is "python". Such notebooks prefer our controller.
 */
export function isPythonNotebook(notebookMetadata: Record<string, unknown> | undefined): boolean {
  const md = jupyterMetadata(notebookMetadata);
  const language = record(md?.['language_info'])?.['name'] ?? record(md?.['kernelspec'])?.['language'];
  return typeof language === 'string' && language.toLowerCase() === 'python';
}
