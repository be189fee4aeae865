// The packaging check on a small fixture (test/fixtures/packaging): it passes as is, and each
// way a product can carry what it must not makes it fail with a message naming the item.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPackaging, productionClosure, type Lockfile, type PackagingInput } from './check-packaging.js';

const dir = join(import.meta.dirname, '..', 'test', 'fixtures', 'packaging');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

function fixture(): PackagingInput {
  return {
    lock: JSON.parse(read('package-lock.json')) as Lockfile,
    builderYml: read('electron-builder.yml'),
    dockerfile: read('Dockerfile'),
    modelFiles: ['SHA256SUMS', 'shipped.json', 'shipped.bin', 'candidate.json', 'candidate.bin'],
    shippedModelFiles: ['shipped.json', 'shipped.bin'],
  };
}
const problems = (input: PackagingInput) =>
  Object.fromEntries(checkPackaging(input).map((r) => [r.artifact, r.problems]));

describe('check:packaging', () => {
  it('passes the fixture as is: dev dependencies and the other workspace stay out', () => {
    const reports = checkPackaging(fixture());
    expect(reports.map((r) => r.problems)).toEqual([[], []]);
    expect(reports[0]?.packages).toEqual(['helper', 'tiny', 'zod']);
    expect(reports[0]?.models).toEqual(['SHA256SUMS', 'shipped.bin', 'shipped.json']);
    expect(reports[1]?.packages).toEqual(['fastify', 'tiny', 'zod']);
  });

  it('follows nested node_modules the way node resolves them', () => {
    const closure = productionClosure(fixture().lock, 'server');
    expect([...closure.paths].sort()).toEqual([
      'node_modules/fastify',
      'node_modules/fastify/node_modules/tiny',
      'node_modules/zod',
    ]);
  });

  it('fails when a kiosk dependency pulls in a server package, however deep', () => {
    const input = fixture();
    input.lock.packages['node_modules/tiny']!.dependencies = { fastify: '1.0.0' };
    expect(problems(input).kiosk).toEqual(['forbidden package fastify (rule fastify)']);
  });

  it('fails on a server-only scoped package or an evaluation package in the kiosk', () => {
    const input = fixture();
    input.lock.packages['']!.dependencies = {
      ...input.lock.packages['']!.dependencies,
      '@fastify/swagger-ui': '1.0.0',
      '@vladmandic/face-api': '1.0.0',
    };
    input.lock.packages['node_modules/@fastify/swagger-ui'] = { version: '1.0.0' };
    input.lock.packages['node_modules/@vladmandic/face-api'] = { version: '1.0.0' };
    expect(problems(input).kiosk).toEqual([
      'forbidden package @fastify/swagger-ui (rule @fastify/*, @fastify/swagger*)',
      'forbidden package @vladmandic/face-api (rule @vladmandic/face-api)',
    ]);
  });

  it('fails when electron-builder would copy an evaluation-only model, or misses a shipped one', () => {
    const input = fixture();
    input.builderYml = input.builderYml.replace('      - shipped.bin\n', '      - candidate.*\n');
    expect(problems(input).kiosk).toEqual([
      'evaluation-only model file candidate.bin in extraResources',
      'evaluation-only model file candidate.json in extraResources',
      'shipped model file shipped.bin missing from extraResources',
    ]);
  });

  it('fails when the server workspace depends on React or Electron', () => {
    const input = fixture();
    input.lock.packages['server']!.dependencies = {
      ...input.lock.packages['server']!.dependencies,
      react: '1.0.0',
    };
    input.lock.packages['node_modules/fastify']!.dependencies = { 'electron-updater': '1.0.0' };
    input.lock.packages['node_modules/electron-updater'] = { version: '1.0.0' };
    expect(problems(input).server).toEqual([
      'forbidden package electron-updater (rule electron-*)',
      'forbidden package react (rule react)',
    ]);
  });

  it('fails when the server lists as a devDependency a package the kiosk needs in production (npm ci -w keeps it)', () => {
    const input = fixture();
    input.lock.packages['']!.dependencies = { ...input.lock.packages['']!.dependencies, react: '1.0.0' };
    delete input.lock.packages['node_modules/react']!.dev;
    expect(problems(input).server).toEqual(['forbidden package react (rule react)']);
  });

  it('fails when the Dockerfile installs the root package or copies kiosk code', () => {
    const input = fixture();
    input.dockerfile = input.dockerfile
      .replace('npm ci --workspace=server --omit=dev', 'npm ci --omit=dev')
      .replace('COPY src/contracts src/contracts', 'COPY src/core src/core');
    expect(problems(input).server).toEqual([
      'the Dockerfile installs the root package (the kiosk), not the server workspace: use `npm ci --workspace=server --omit=dev`',
      'the Dockerfile copies src/core (kiosk or evaluation code) into the image',
    ]);
  });
});
