/**
 * The host functions of the extension: ours (the `vscode.` names) and those other extensions
 * register through the API's registerFunction. Registrations may come before Python starts;
 * they are applied to each engine as it starts. Plain Node (no vscode import), unit-tested.
 */
import type { HostFunction } from '../../engine/bridge';

/** What the registry needs from an engine: Python's registerFunction. */
export interface FunctionTarget {
  registerFunction(name: string, fn: HostFunction): { dispose(): void };
}

/** Names under this prefix belong to Py Contexts; other extensions cannot take them. */
export const RESERVED_PREFIX = 'vscode.';

export class HostFunctionRegistry {
  private readonly fns = new Map<string, HostFunction>();
  private target: FunctionTarget | undefined;
  private readonly live = new Map<string, { dispose(): void }>();

  /**
   * Adds a function; `internal` allows the reserved `vscode.` prefix. The name is checked
   * against the engine's rules at once when an engine is attached, else on attach.
   */
  register(name: string, fn: HostFunction, internal = false): { dispose(): void } {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('registerFunction(name, fn): name must be a non-empty string');
    if (typeof fn !== 'function') throw new TypeError('registerFunction(name, fn): fn must be a function');
    if (!internal && name.startsWith(RESERVED_PREFIX)) {
      throw new Error(`host function names starting with '${RESERVED_PREFIX}' are reserved for Py Contexts`);
    }
    if (this.fns.has(name)) throw new Error(`a host function named '${name}' is already registered`);
    if (this.target) this.live.set(name, this.target.registerFunction(name, fn));
    this.fns.set(name, fn);
    return {
      dispose: () => {
        if (this.fns.get(name) !== fn) return;
        this.fns.delete(name);
        this.live.get(name)?.dispose();
        this.live.delete(name);
      },
    };
  }

  /** Applies every registration to a started engine (once per engine). */
  attach(target: FunctionTarget): void {
    if (this.target === target) return;
    this.detach();
    this.target = target;
    for (const [name, fn] of this.fns) {
      try {
        this.live.set(name, target.registerFunction(name, fn));
      } catch {
        // A name the engine refuses stays unregistered there; register() reported it already.
      }
    }
  }

  detach(): void {
    for (const d of this.live.values()) d.dispose();
    this.live.clear();
    this.target = undefined;
  }

  names(): string[] {
    return [...this.fns.keys()];
  }
}
