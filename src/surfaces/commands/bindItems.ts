/**
 * The "Bind to Context" quick pick, as data. Pure; tested in test/unit/bindItems.unit.test.ts.
 */
import type { ContextStats } from '../../engine/types';
import { describeContext } from '../contextTree/model';

export interface PoolState {
  name: string;
  /** Configured size; a pool that has not started yet lists this many contexts. */
  size: number;
  started: boolean;
  contexts: { id: string; index: number; stats: ContextStats | undefined }[];
}

export type BindChoice = { kind: 'auto' } | { kind: 'context'; pool: string; index: number; id: string };

export interface BindItem {
  label: string;
  description?: string;
  detail?: string;
  /** A separator row titled with the pool name; it carries no choice. */
  separator?: boolean;
  choice?: BindChoice;
  picked?: boolean;
}

/**
 * Rows: "Automatic" first, then each pool as a separator and its contexts with their state
 * and how many documents use them. The current binding carries a check mark.
 */
export function bindItems(pools: readonly PoolState[], boundId: string | undefined, docs: ReadonlyMap<string, number>): BindItem[] {
  const items: BindItem[] = [
    {
      label: `${boundId === undefined ? '$(check) ' : ''}Automatic`,
      description: 'least busy context of the default pool, then sticky',
      choice: { kind: 'auto' },
      picked: boundId === undefined,
    },
  ];
  for (const pool of pools) {
    items.push({ label: pool.name, separator: true });
    const contexts = pool.started
      ? pool.contexts
      : Array.from({ length: pool.size }, (_, i) => ({ id: `${pool.name}:${i + 1}`, index: i + 1, stats: undefined }));
    for (const c of contexts) {
      const n = docs.get(c.id) ?? 0;
      const state = c.stats ? describeContext(c.stats) : 'not started';
      items.push({
        label: `${c.id === boundId ? '$(check) ' : ''}${c.id}`,
        description: n > 0 ? `${state} · ${n} document${n === 1 ? '' : 's'}` : state,
        choice: { kind: 'context', pool: pool.name, index: c.index, id: c.id },
        picked: c.id === boundId,
      });
    }
  }
  return items;
}

/** Status bar text for a document: its context (bound, or where it last ran) and state. */
export function statusText(opts: {
  boundId: string | undefined;
  currentId: string | undefined;
  stats: ContextStats | undefined;
  failed: boolean;
  trusted: boolean;
  /** The running interpreter (describeInterpreter's tooltip), once Python has started. */
  interpreter?: string | undefined;
}): { text: string; tooltip: string } {
  if (!opts.trusted) return { text: '$(shield) Py: restricted', tooltip: 'Python code does not run in an untrusted workspace' };
  if (opts.failed) return { text: '$(error) Py: unavailable', tooltip: 'Python could not start; see the Py Contexts output' };
  const python = opts.interpreter ? `\n\n${opts.interpreter}` : '';
  const id = opts.boundId ?? opts.currentId;
  if (!id) return { text: '$(symbol-namespace) Py: auto', tooltip: `Runs in the least busy context of the default pool. Click to bind.${python}` };
  const pin = opts.boundId ? '$(pinned) ' : '';
  const state = opts.stats ? describeContext(opts.stats) : '';
  const icon = opts.stats?.busy ? '$(sync~spin)' : '$(symbol-namespace)';
  return {
    text: `${icon} ${pin}${id}${state && state !== 'idle' ? ` ${state}` : ''}`,
    tooltip: `${opts.boundId ? 'Bound to' : 'Runs in'} ${id} (${state || 'idle'}). Click to bind to another context.${python}`,
  };
}
