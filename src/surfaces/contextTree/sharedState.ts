/**
 * The "Shared state" node of the Context Pool tree, as pure functions: its description and
 * the line each key shows (key = short repr, as variables show). Tested in
 * test/unit/sharedStateTree.unit.test.ts.
 */

/** "3 keys", "1 key", "empty". */
export function describeSharedState(count: number): string {
  if (count === 0) return 'empty';
  return `${count} key${count === 1 ? '' : 's'}`;
}

/** The entries as the tree lists them: sorted by key, at most `max`, with a "more" line. */
export function sharedStateEntries(entries: readonly { key: string; repr: string }[], max = 200):
  { label: string; description: string; more: boolean }[] {
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out = sorted.slice(0, max).map((e) => ({ label: e.key, description: e.repr, more: false }));
  if (sorted.length > max) out.push({ label: `${sorted.length - max} more…`, description: '', more: true });
  return out;
}
