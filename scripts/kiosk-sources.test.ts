// The kiosk's import graph (kiosk-sources.ts) on a miniature kiosk (test/fixtures/kiosk-sources)
// and on the real one: evaluation code, a server package or a broken import reached from an
// entry point is reported, however it is reached.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KIOSK_FORBIDDEN } from './check-packaging.js';
import { kioskSourceGraph, kioskSourceProblems, packageNameOf } from './kiosk-sources.js';

const fixture = join(import.meta.dirname, '..', 'test', 'fixtures', 'kiosk-sources');
const forbidden = (name: string) => KIOSK_FORBIDDEN.filter((p) => p === name);
const problemsFrom = (entry: string) => kioskSourceProblems(kioskSourceGraph(fixture, [entry]), forbidden);

describe('kiosk source graph', () => {
  it('passes an entry that reaches only kiosk code, and lists what it reached', () => {
    const graph = kioskSourceGraph(fixture, ['src/main/clean.js']);
    expect(graph.files).toEqual(['src/main/clean.js', 'src/ml/engine.js']);
    expect(graph.packages).toEqual(['zod']); // node builtins, with or without `node:`, are not packages
    expect(kioskSourceProblems(graph, forbidden)).toEqual([]);
  });

  it('fails when evaluation code is reached through import() and a re-export', () => {
    expect(problemsFrom('src/main/reaches-eval.js')).toEqual([
      'kiosk code reaches eval/candidates.js (eval/ is not part of the kiosk)',
    ]);
  });

  it('fails on a server package, naming who imports it', () => {
    expect(problemsFrom('src/main/server-package.js')).toEqual([
      'kiosk code imports fastify (rule fastify; src/main/server-package.js → fastify)',
    ]);
  });

  it('fails on an import that resolves to nothing, and on a missing entry', () => {
    expect(problemsFrom('src/main/broken.js')).toEqual([
      'unresolved import src/main/broken.js → ../ml/moved-away.js',
    ]);
    expect(() => kioskSourceGraph(fixture, ['src/main/gone.js'])).toThrow(/does not exist/);
  });

  it('names packages by their root, scoped or not', () => {
    expect(packageNameOf('@vladmandic/face-api/dist/face-api.node.js')).toBe('@vladmandic/face-api');
    expect(packageNameOf('react-dom/client')).toBe('react-dom');
  });

  it('the real kiosk reaches the shipped engine and no candidate embedder', () => {
    const graph = kioskSourceGraph(join(import.meta.dirname, '..'));
    expect(kioskSourceProblems(graph, (n) => KIOSK_FORBIDDEN.filter((p) => p === n))).toEqual([]);
    expect(graph.files).toContain('src/ml/local-engine.ts');
    expect(graph.files).toContain('src/ml/embedders.ts');
    expect(graph.files.filter((f) => /candidates|dlib/.test(f))).toEqual([]);
  });
});
