/**
 * What the status bar's context item says, as data. Pure; tested in
 * test/unit/contextTree.unit.test.ts.
 */
import type { ContextStats } from '../../engine/types';
import { describeContext } from '../../text/contextState';

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
