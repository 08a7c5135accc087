/** Names of documents as the user sees them. Pure; tested with the tree model. */

/** A document's short name for the tree, the output tags and messages. */
export function documentLabel(id: string): string {
  const m = /^untitled:(.*)$/.exec(id);
  if (m) return decodeURIComponent(m[1] ?? id);
  const path = id.replace(/[?#].*$/, '');
  const base = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(base) || id;
  } catch {
    return base || id;
  }
}
