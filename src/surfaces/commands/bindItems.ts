/**
 * The "Bind to Context" quick pick, as data. Pure; tested in test/unit/bindItems.unit.test.ts.
 */
import type { ContextStats } from '../../engine/types';
import { describeContext } from '../../text/contextState';

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
