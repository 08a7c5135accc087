/**
 * Shared set-up of the native tier. One embedded interpreter can exist per process,
 * so every test file shares the Python started here; each test gets fresh process
 * ids. gc() runs after every test so refcount mistakes in the addon surface as
 * crashes here rather than in users' editors.
 */
import { startPython, type Python } from '../../src/core';

let shared: Promise<Python> | undefined;

export function getPython(): Promise<Python> {
  shared ??= startPython({ pools: { default: 2 } });
  return shared;
}

let counter = 0;
/** A process id no other test uses. */
export function uniqueId(prefix = 'test'): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

declare const gc: (() => void) | undefined;

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
