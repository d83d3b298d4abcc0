// The engine, the renderers, the Slack listeners and the log-only CLI never load a cloud SDK or a provider's
// live part: those load with `await import()` only when a probe (or fix) of that provider runs.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph, findChain, runtimeImports, type Graph } from './import-graph.js';

const ROOT = resolve(import.meta.dirname, '../..');
const graph = buildGraph(ROOT);

const CLOUD_SDK = /^(?:@aws-sdk\/|@smithy\/|@azure\/|@azure-rest\/|@google-cloud\/|google-gax$|google-auth-library$)/;
const LIVE_MODULE = /^src\/providers\/[^/]+\/live(?:\.ts|\/)/;

const forbidden = (target: { package?: string; file?: string }): boolean =>
  (target.package !== undefined && CLOUD_SDK.test(target.package)) || (target.file !== undefined && LIVE_MODULE.test(target.file));

function filesUnder(folder: string): string[] {
  return [...graph.keys()].filter((file) => file.startsWith(`${folder}/`));
}

/**
 * Modules that must stay free of cloud SDKs and live parts: the engine, the renderers, the Slack listeners
 * and the log-only CLI above all, and in fact every module but the live ones (the worker and the CLI reach
 * probes through the loader's dynamic imports only).
 */
const PURE_ROOTS = [...graph.keys()].filter((file) => !LIVE_MODULE.test(file)).sort();

describe('import graph', () => {
  it('finds the roots it is meant to guard', () => {
    expect(filesUnder('src/engine')).toContain('src/engine/diagnose.ts');
    expect(filesUnder('src/render').length).toBeGreaterThan(2);
    expect(filesUnder('src/ingress/slack')).toContain('src/ingress/slack/listeners.ts');
    expect(PURE_ROOTS).toEqual(expect.arrayContaining(['src/cli/diagnose.ts', 'src/main.ts', 'src/probes/run-probes.ts']));
  });

  it.each(PURE_ROOTS)('%s reaches no cloud SDK and no provider live module', (root) => {
    expect(findChain(graph, root, forbidden)).toBeUndefined();
  });

  it('every provider live module is reached only through the loader, by dynamic import', () => {
    const liveFiles = [...graph.keys()].filter((file) => LIVE_MODULE.test(file));
    expect(liveFiles).toContain('src/providers/oci/live.ts');
    for (const [file, edges] of graph) {
      if (LIVE_MODULE.test(file)) continue;
      const staticLive = edges.filter((edge) => edge.file !== undefined && LIVE_MODULE.test(edge.file));
      expect(staticLive.map((edge) => `${file} → ${edge.file}`)).toEqual([]);
    }
  });

  it('no live module reaches the loader (which imports the live modules: a cycle)', () => {
    const liveFiles = [...graph.keys()].filter((file) => LIVE_MODULE.test(file));
    for (const file of liveFiles) {
      expect(findChain(graph, file, (target) => target.file === 'src/probes/load-live.ts'), file).toBeUndefined();
    }
  });

  it('the engine and the providers\u2019 knowledge form no runtime cycle', () => {
    const knowledge = (file: string): boolean => file.startsWith('src/providers/') && !LIVE_MODULE.test(file);
    for (const file of filesUnder('src/providers').filter(knowledge)) {
      expect(findChain(graph, file, (target) => target.file?.startsWith('src/engine/') === true)).toBeUndefined();
    }
  });

  it('every provider folder with a live part is known to the loader', () => {
    const folders = readdirSync(join(ROOT, 'src/providers'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && graph.has(`src/providers/${entry.name}/live.ts`))
      .map((entry) => entry.name);
    const loader = readFileSync(join(ROOT, 'src/probes/load-live.ts'), 'utf8');
    const loaded = [...loader.matchAll(/import\('\.\.\/providers\/([^/]+)\/live\.js'\)/g)].map((match) => match[1]);
    expect(loaded.sort()).toEqual(folders.sort());
  });
});

describe('the graph reader (so the guard above can fail)', () => {
  it('tells runtime imports from type-only and dynamic ones', () => {
    const source = [
      "import type { A } from './a.js';",
      "import { b, type C } from './b.js';",
      "import {\n  d,\n  e,\n} from '@aws-sdk/client-ecr';",
      "import 'side-effect';",
      "export { f } from './f.js';",
      "export type { G } from './g.js';",
      "export * from './h.js';",
      "export const x = 'not an import';",
      "const live = () => import('./live.js');",
    ].join('\n');
    expect(runtimeImports(source)).toEqual(['./b.js', '@aws-sdk/client-ecr', 'side-effect', './f.js', './h.js']);
  });

  it('finds a transitive chain to a cloud SDK and to a live module', () => {
    const fake: Graph = new Map([
      ['src/engine/a.ts', [{ specifier: './b.js', file: 'src/engine/b.ts' }]],
      ['src/engine/b.ts', [{ specifier: '../providers/x/index.js', file: 'src/providers/x/index.ts' }]],
      ['src/providers/x/index.ts', [{ specifier: './live.js', file: 'src/providers/x/live.ts' }]],
      ['src/providers/x/live.ts', [{ specifier: '@aws-sdk/client-ecr/dist-es/index.js' }]],
    ]);
    expect(findChain(fake, 'src/engine/a.ts', forbidden)).toEqual([
      'src/engine/a.ts',
      'src/engine/b.ts',
      'src/providers/x/index.ts',
      'src/providers/x/live.ts',
    ]);
    expect(findChain(fake, 'src/providers/x/live.ts', forbidden)).toEqual(['src/providers/x/live.ts', '@aws-sdk/client-ecr']);
  });
});
