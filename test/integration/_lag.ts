// Measuring the extension host's responsiveness from inside it: these tests run in the same
// extension host process as the extension, so a timer here sees every stall the
// extension's handlers cause, exactly as another extension's completions would.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

export interface LagFigures {
  /** Longest delay of a 10 ms timer beyond its due time, in ms. */
  maxMs: number;
  /** Timer ticks seen; a frozen loop sees few. */
  ticks: number;
  /** Ticks that came more than 50 ms late. */
  over50: number;
  /** How long the probe ran, in ms. */
  ms: number;
  /**
   * The five longest stalls: when (ms after the start), how long (ms), and how much CPU the
   * thread used meanwhile (ms): a stall with little CPU was the machine, not the host.
   */
  worst: [number, number, number][];
  /**
   * The most CPU time the host's JS thread used between two ticks, in ms: the stall the
   * host itself caused. On a shared machine a tick can also come late because the thread
   * was not scheduled; that shows in `maxMs` but not here. Undefined before Node 23.9
   * (code-server's host is Node 24).
   */
  maxCpuMs?: number;
}

type ThreadCpu = () => { user: number; system: number };
const threadCpu = (process as unknown as { threadCpuUsage?: ThreadCpu }).threadCpuUsage?.bind(process);
function cpuMs(): number {
  if (!threadCpu) return 0;
  const u = threadCpu();
  return (u.user + u.system) / 1000;
}

/**
 * A 10 ms interval timer that records how late each tick comes: the event-loop lag the
 * issue measured. `stop()` returns the figures.
 */
export function lagProbe(intervalMs = 10): { stop(): LagFigures; peek(): LagFigures } {
  const started = performance.now();
  let last = started;
  let maxMs = 0;
  let ticks = 0;
  let over50 = 0;
  const worst: [number, number, number][] = [];
  let lastCpu = cpuMs();
  let maxCpuMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = cpuMs();
    const used = cpu - lastCpu;
    if (used > maxCpuMs) maxCpuMs = used;
    lastCpu = cpu;
    const lag = now - last - intervalMs;
    last = now;
    ticks++;
    if (lag > maxMs) maxMs = lag;
    if (lag > 50) over50++;
    if (lag > 20) {
      worst.push([Math.round(now - lag - started), Math.round(lag), Math.round(used)]);
      worst.sort((a, b) => b[1] - a[1]);
      worst.length = Math.min(worst.length, 5);
    }
  }, intervalMs);
  const figures = (): LagFigures => {
    // A stall still in progress when we stop counts too.
    const pending = performance.now() - last - intervalMs;
    const pendingCpu = cpuMs() - lastCpu;
    return { maxMs: Math.round(Math.max(maxMs, pending) * 10) / 10, ticks, over50, ms: Math.round(performance.now() - started), worst: [...worst],
      ...(threadCpu ? { maxCpuMs: Math.round(Math.max(maxCpuMs, pendingCpu) * 10) / 10 } : {}) };
  };
  return {
    peek: figures,
    stop: () => {
      const f = figures();
      clearInterval(timer);
      return f;
    },
  };
}

/**
 * A CPU profile of the extension host while `fn` runs, saved to
 * test-artifacts/profiles/<name>.cpuprofile when PY_CONTEXTS_PROFILE is set (open it in
 * Chrome DevTools or VS Code). Without the variable `fn` just runs.
 */
export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!process.env['PY_CONTEXTS_PROFILE']) return fn();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  // Starting the profiler stalls the thread itself; let that pass before measuring.
  await new Promise((r) => setTimeout(r, 300));
  try {
    return await fn();
  } finally {
    const res = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    const dir = join(process.env['PY_CONTEXTS_REPO'] ?? process.cwd(), 'test-artifacts', 'profiles');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(res.profile));
  }
}

/** Figures collected by the responsiveness tests, written for `npm run soak` to print. */
const collected: Record<string, unknown> = {};

export function record(name: string, figures: object): void {
  collected[name] = figures;
  console.log(`[responsive] ${name}: ${JSON.stringify(figures)}`);
  const dir = join(process.env['PY_CONTEXTS_REPO'] ?? process.cwd(), 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'responsiveness.json'), `${JSON.stringify(collected, null, 2)}\n`);
}
