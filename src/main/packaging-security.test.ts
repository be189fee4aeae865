// Security review, findings 2 and 8: the packaged app's Electron fuses, and an update feed
// fixed at build time on https. Read from electron-builder.yml (the build uses exactly it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UPDATE_FEED_URL } from './update-key.js';

const yml = readFileSync(join(import.meta.dirname, '../../electron-builder.yml'), 'utf8');

/** The `key: value` lines of a top-level block (two-space indented), comments dropped. */
function block(name: string): Record<string, string> {
  const lines = yml.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === `${name}:`);
  if (start < 0) return {};
  const out: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const m = /^ {2}(\w+):\s*([^#]*?)\s*(#.*)?$/.exec(line);
    if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/^['"]|['"]$/g, '');
  }
  return out;
}

describe('electron-builder.yml', () => {
  it('burns the fuses: no RunAsNode, no NODE_OPTIONS, no --inspect, asar integrity on, app only from the asar', () => {
    const fuses = block('electronFuses');
    expect(fuses).toMatchObject({
      runAsNode: 'false',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      enableEmbeddedAsarIntegrityValidation: 'true',
      onlyLoadAppFromAsar: 'true',
    });
    expect(/^asar:\s*true\s*$/m.test(yml)).toBe(true);
  });

  it('publishes to one https feed (electron-updater reads it from app-update.yml, built in)', () => {
    const publish = block('publish');
    expect(publish.provider).toBe('generic');
    expect(new URL(publish.url ?? 'x:').protocol).toBe('https:');
    // The updater sets the same URL, compiled in; no setting can change it.
    expect(publish.url).toBe(UPDATE_FEED_URL);
  });
});
