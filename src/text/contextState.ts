/**
 * A context's state in words, for the tree, the status bar and the Bind to Context pick.
 * Pure; tested in test/unit/contextTree.unit.test.ts.
 */
import type { ContextStats } from '../engine/types';

/** 0.4 s, 3 s, 2 min 5 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${(Math.max(ms, 0) / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${s % 60} s`;
}

/** "idle", or "busy 3 s · 2 queued". */
export function describeContext(stats: ContextStats): string {
  if (!stats.busy) return stats.queued > 0 ? `idle · ${stats.queued} queued` : 'idle';
  const q = stats.queued > 0 ? ` · ${stats.queued} queued` : '';
  return `busy ${formatDuration(stats.busyForMs)}${q}`;
}
