/**
 * When and where a document's environment is saved so that it survives a window reload
 * (issue 12), as pure functions: the settings' rules, the file of each document, the share
 * of the size cap a save may use, when the next save is due, and what the user is told after
 * a restore. The VS Code side is src/surfaces/persistence/; the Python side
 * python/py_contexts/persist.py. Tested in test/unit/persistPolicy.unit.test.ts.
 */
import { createHash } from 'node:crypto';
import type { NotRestored } from '../engine/types';

export const DEFAULT_MAX_SIZE_MB = 256;
export const DEFAULT_SAVE_INTERVAL_S = 30;
/** A save waits this long after a run was asked for, so the run is usually over by then. */
export const IDLE_DELAY_MS = 1000;
/** A context still busy when a save is due is asked again this much later. */
export const BUSY_RETRY_MS = 2000;
export const STATE_SUFFIX = '.pystate';

export interface PersistSettings {
  enabled: boolean;
  /** For the whole workspace: every document's saved state together. */
  maxBytes: number;
  /** At most one save per document this often after runs (0: only on deactivate). */
  saveIntervalMs: number;
}

/** The settings `pyContexts.persistState`, `.persistState.maxSizeMB`, `.persistState.saveIntervalSeconds`. */
export function persistSettings(raw: { persistState?: unknown; maxSizeMB?: unknown; saveIntervalSeconds?: unknown }): PersistSettings {
  const mb = typeof raw.maxSizeMB === 'number' && Number.isFinite(raw.maxSizeMB) && raw.maxSizeMB >= 0 ? raw.maxSizeMB : DEFAULT_MAX_SIZE_MB;
  const s = typeof raw.saveIntervalSeconds === 'number' && Number.isFinite(raw.saveIntervalSeconds) && raw.saveIntervalSeconds >= 0
    ? raw.saveIntervalSeconds
    : DEFAULT_SAVE_INTERVAL_S;
  return { enabled: raw.persistState !== 'off', maxBytes: Math.floor(mb * 1024 * 1024), saveIntervalMs: s * 1000 };
}

/**
 * The file of a document's state in the workspace storage: a hash of its URI, so any URI
 * (untitled, notebook, remote) makes a safe, fixed-length name.
 */
export function stateFileName(documentUri: string): string {
  return createHash('sha256').update(documentUri).digest('hex').slice(0, 32) + STATE_SUFFIX;
}

/** What one document's save may use: the cap less what the other documents' files take. */
export function budgetFor(maxBytes: number, otherFileSizes: readonly number[]): number {
  const used = otherFileSizes.reduce((a, b) => a + b, 0);
  return Math.max(0, maxBytes - used);
}

/**
 * When a document's next save is due. `used()` marks a run; `due()` says how long to wait
 * before saving (undefined: nothing new to save, or saving after runs is off).
 */
export class SaveSchedule {
  private dirty = false;
  private lastSave = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  used(): void {
    this.dirty = true;
  }

  saved(now: number): void {
    this.dirty = false;
    this.lastSave = now;
  }

  get pending(): boolean {
    return this.dirty;
  }

  due(now: number): number | undefined {
    if (!this.dirty || this.intervalMs <= 0) return undefined;
    return Math.max(IDLE_DELAY_MS, this.lastSave + this.intervalMs - now);
  }
}

export interface RestoreSummary {
  /** The notification: "Restored 12 variables in analysis.py · not restored: conn, f". */
  message: string;
  /** The tree's line: "Restored 12 variables in analysis.py". */
  label: string;
  /** The tree's description: "not restored: conn, f" (empty when everything came back). */
  description: string;
  /** One line per name not restored, with why. */
  tooltip: string;
}

export function restoreSummary(documentName: string, restored: readonly string[], notRestored: readonly NotRestored[]): RestoreSummary {
  const n = restored.length;
  const label = `Restored ${n} variable${n === 1 ? '' : 's'} in ${documentName}`;
  const names = notRestored.map((r) => r.name);
  const description = names.length > 0 ? `not restored: ${names.join(', ')}` : '';
  const tooltip = [label, ...notRestored.map((r) => `${r.name}: not restored, ${r.reason}`)].join('\n');
  return { message: description ? `${label} · ${description}` : label, label, description, tooltip };
}
