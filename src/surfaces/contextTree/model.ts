/**
 * What the Context Pool tree shows, as pure functions of engine state: descriptions,
 * capability flags for menus, labels. Tested in test/unit/contextTree.unit.test.ts.
 */
import { describeMode, type PoolMode } from '../../engine/pools';
import type { ContextStats, VariableInfo } from '../../engine/types';

/** "worker · free-threaded · 2 contexts", "own GIL · 1 context · not started": a pool's description. */
export function describePool(size: number, mode: PoolMode, freeThreaded: boolean, started: boolean): string {
  const parts = [describeMode(mode, freeThreaded), `${size} context${size === 1 ? '' : 's'}`];
  if (!started) parts.push('not started');
  return parts.join(' · ');
}

/**
 * Capability flags for `view/item/context` menus, matched with regexes such as
 * `viewItem =~ /;interruptible;/`. Every flag is followed by `;`, and the kind comes first.
 */
export function contextFlags(stats: ContextStats, opts: { activeCanBind: boolean }): string {
  const flags = ['context'];
  flags.push(stats.busy ? 'busy' : 'idle');
  if (stats.busy) flags.push('interruptible');
  flags.push('restartable');
  if (opts.activeCanBind) flags.push('bindable');
  return `${flags.join(';')};`;
}

export function documentFlags(opts: { bound: boolean; hasEnvironment: boolean }): string {
  const flags = ['document'];
  flags.push(opts.bound ? 'bound' : 'unbound');
  if (opts.hasEnvironment) flags.push('resettable');
  return `${flags.join(';')};`;
}

/** A variable's flags: `viewable` when the data viewer can show it (View Data). */
export function variableFlags(v: Pick<VariableInfo, 'viewable'>): string {
  return v.viewable === true ? 'variable;viewable;' : 'variable;';
}

export function poolFlags(started: boolean): string {
  return `pool;${started ? 'started' : 'stopped'};`;
}

/** "int = 41", "list[3] = [1, 2, 3]": type, size and a short repr in one line. */
export function variableDescription(v: VariableInfo): string {
  const size = v.length !== undefined ? `[${v.length}]` : '';
  if (!v.type) return v.repr;
  return v.repr ? `${v.type}${size} = ${v.repr}` : `${v.type}${size}`;
}

/** Icon for a variable node, by its Python type. */
export function variableIcon(v: VariableInfo): string {
  if (!v.type) return 'ellipsis';
  if (['int', 'float', 'complex', 'bool'].includes(v.type)) return 'symbol-number';
  if (['str', 'bytes', 'bytearray'].includes(v.type)) return 'symbol-string';
  if (['list', 'tuple', 'set', 'frozenset', 'deque', 'ndarray'].includes(v.type)) return 'symbol-array';
  if (['dict', 'OrderedDict', 'defaultdict', 'DataFrame', 'Series'].includes(v.type)) return 'symbol-object';
  if (['function', 'builtin_function_or_method', 'method'].includes(v.type)) return 'symbol-method';
  if (v.type === 'type') return 'symbol-class';
  return v.expandable ? 'symbol-object' : 'symbol-variable';
}

/** A document's tooltip: where it is, the folder its code runs in, and how it is routed. */
export function documentTooltip(where: string, cwd: string, boundTo: string | undefined): string {
  return `${where}\nRuns in ${cwd}\n${boundTo ? `Bound to ${boundTo}` : 'Routed automatically'}`;
}
