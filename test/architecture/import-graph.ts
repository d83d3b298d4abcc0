// The static import graph of src/: which modules a module loads at start (type-only imports and dynamic
// `import()` excluded, since neither loads anything when the importer loads).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** `import … from 'x'`, `export … from 'x'`, `import 'x'`; group 1 marks a type-only one. */
const STATIC_IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/gm;

export interface ImportEdge {
  specifier: string;
  /** A file under src/ (relative to the root), or undefined for a package or a node: builtin. */
  file?: string;
}

/** The runtime imports of one source text. */
export function runtimeImports(source: string): string[] {
  return [...source.matchAll(STATIC_IMPORT)].filter((match) => !match[1]).map((match) => match[2]!);
}

/** The package a bare specifier names (`@aws-sdk/client-ecr/dist/x` → `@aws-sdk/client-ecr`). */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export type Graph = ReadonlyMap<string, readonly ImportEdge[]>;

/** Every .ts file under `dir` (relative to `root`) with its runtime imports resolved. */
export function buildGraph(root: string, dir = 'src'): Graph {
  const graph = new Map<string, ImportEdge[]>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(join(root, path), 'utf8');
        graph.set(
          path,
          runtimeImports(text).map((specifier) => {
            if (!specifier.startsWith('.')) return { specifier };
            const file = relative(root, resolve(root, dirname(path), specifier.replace(/\.js$/, '.ts')));
            return { specifier, file };
          }),
        );
      }
    }
  };
  walk(dir);
  return graph;
}

/**
 * The first import chain from `start` to a module `forbidden` accepts (a package name or a src file), or
 * undefined. Breadth first, so the chain shown is a shortest one.
 */
export function findChain(graph: Graph, start: string, forbidden: (target: { package?: string; file?: string }) => boolean): string[] | undefined {
  const previous = new Map<string, string | undefined>([[start, undefined]]);
  const queue = [start];
  const chainTo = (end: string, last?: string): string[] => {
    const chain = last ? [last] : [];
    for (let at: string | undefined = end; at !== undefined; at = previous.get(at)) chain.unshift(at);
    return chain;
  };
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (forbidden({ file }) && file !== start) return chainTo(file);
    for (const edge of graph.get(file) ?? []) {
      if (edge.file === undefined) {
        const pkg = packageOf(edge.specifier);
        if (pkg && forbidden({ package: pkg })) return chainTo(file, pkg);
        continue;
      }
      if (!previous.has(edge.file)) {
        previous.set(edge.file, file);
        queue.push(edge.file);
      }
    }
  }
  return undefined;
}
