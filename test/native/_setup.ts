/**
 * Shared set-up of the native tier. One embedded interpreter can exist per process,
 * so every test file shares the Python started here; each test gets fresh process
 * ids. gc() runs after every test so refcount mistakes in the addon surface as
 * crashes here rather than in users' editors.
 */
import { startPython, type Python } from '../../src/core';

let shared: Promise<Python> | undefined;

/** Size of the shared default pool: 2, or PY_CONTEXTS_TEST_CONTEXTS (the matrix runs 3.13t with 4). */
export const DEFAULT_CONTEXTS = Number(process.env['PY_CONTEXTS_TEST_CONTEXTS'] ?? 2);

export function getPython(): Promise<Python> {
  // The matrix runs free-threaded builds with four contexts at once (PY_CONTEXTS_TEST_CONTEXTS).
  shared ??= startPython({ pools: { default: DEFAULT_CONTEXTS } });
  return shared;
}

let counter = 0;
/** A process id no other test uses. */
export function uniqueId(prefix = 'test'): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

declare const gc: (() => void) | undefined;

/** Polls `cond` every 5 ms until it holds (true) or `ms` pass (false). */
export async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise<void>((r) => setTimeout(r, 5));
  }
  return true;
}

export const mochaHooks = {
  afterEach(): void {
    if (typeof gc !== 'function') throw new Error('native tests must run with --expose-gc');
    gc();
  },
  async afterAll(): Promise<void> {
    if (shared) {
      const py = await shared;
      await py.shutdown();
    }
  },
};
