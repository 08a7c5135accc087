import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The engine and the processes are plain Node, and data flows engine -> processes: the
 * processes reach the engine through ProcessEngine, and the engine's only way into
 * src/processes is python.ts, which owns the registry. Type-only imports count as well: a
 * cycle of types still ties the two folders into one.
 */
const root = path.resolve(__dirname, '../../..');
const src = path.join(root, 'src');
const LAYERS = ['engine', 'processes'];

function filesOf(folder: string): string[] {
  return readdirSync(path.join(src, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(src, folder, f));
}

/** What a file imports: relative imports resolved to files under src/, bare ones as written. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map(({ fileName }) => {
    if (!fileName.startsWith('.')) return fileName;
    const base = path.resolve(path.dirname(file), fileName);
    return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f)) ?? base;
  });
}

const rel = (f: string) => path.relative(src, f);
const graph = new Map(LAYERS.flatMap(filesOf).map((f) => [f, importsOf(f)] as const));

describe('layers: src/engine and src/processes', () => {
  it('finds the files and their imports (the check below is not vacuous)', () => {
    assert.ok(graph.size >= 15, `only ${graph.size} files found under ${src}`);
    assert.ok(graph.get(path.join(src, 'processes', 'process.ts'))!.includes(path.join(src, 'engine', 'ops.ts')));
  });

  it('never import vscode', () => {
    const offenders = [...graph].filter(([, imports]) => imports.includes('vscode')).map(([f]) => rel(f));
    assert.deepEqual(offenders, []);
  });

  it('no file of src/processes is on an import cycle, type-only imports included', () => {
    const reach = (from: string): Set<string> => {
      const seen = new Set<string>();
      const todo = [...(graph.get(from) ?? [])];
      for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
        if (seen.has(f) || !graph.has(f)) continue;
        seen.add(f);
        todo.push(...graph.get(f)!);
      }
      return seen;
    };
    const cycles: string[] = [];
    for (const p of graph.keys()) {
      if (!rel(p).startsWith(`processes${path.sep}`) || !reach(p).has(p)) continue;
      const ring = [...reach(p)].filter((g) => reach(g).has(p)).map(rel).sort();
      cycles.push(`${rel(p)} is on a cycle with ${ring.join(', ')}`);
    }
    assert.deepEqual(cycles, []);
  });

  it('processes never import the engine object; only python.ts (which owns the registry) imports processes', () => {
    const python = path.join(src, 'engine', 'python.ts');
    const wrong: string[] = [];
    for (const [f, imports] of graph) {
      const inProcesses = rel(f).startsWith(`processes${path.sep}`);
      for (const g of imports) {
        if (inProcesses && g === python) wrong.push(`${rel(f)} imports ${rel(g)}`);
        if (!inProcesses && f !== python && rel(g).startsWith(`processes${path.sep}`)) wrong.push(`${rel(f)} imports ${rel(g)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
