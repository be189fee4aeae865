// Security review, finding 2: an update is installed only if it is ours. Linux artifacts carry
// a detached Ed25519 signature over their sha512; the public key is compiled into the app.
// Tested without Electron: the verification and the install policy are plain functions.
import { generateKeyPairSync, sign, createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UPDATE_PUBLIC_KEY_PEM } from './update-key.js';
import { signatureUrlFor, updateVerdict, verifyArtifactSignature } from './update-signature.js';
import { feedUrlOrNull } from './update-policy.js';

const keys = generateKeyPairSync('ed25519');
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const dir = mkdtempSync(join(tmpdir(), 'rollcall-update-'));
const artifact = join(dir, 'Rollcall-0.2.0-x86_64.AppImage');
writeFileSync(artifact, Buffer.alloc(256 * 1024, 7));
const digest = createHash('sha512')
  .update(Buffer.alloc(256 * 1024, 7))
  .digest();
const goodSig = sign(null, digest, keys.privateKey).toString('base64');

describe('update artifact signature', () => {
  it('accepts the artifact signed with the release key', async () => {
    expect(await verifyArtifactSignature(artifact, goodSig, publicPem)).toEqual({ ok: true });
  });

  it('refuses a tampered artifact, a signature by another key, garbage and a missing signature', async () => {
    const tampered = join(dir, 'tampered.AppImage');
    const bytes = Buffer.alloc(256 * 1024, 7);
    bytes[1000] = 8;
    writeFileSync(tampered, bytes);
    expect(await verifyArtifactSignature(tampered, goodSig, publicPem)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/signature does not match/),
    });
    const other = generateKeyPairSync('ed25519');
    const otherSig = sign(null, digest, other.privateKey).toString('base64');
    expect(await verifyArtifactSignature(artifact, otherSig, publicPem)).toMatchObject({ ok: false });
    expect(await verifyArtifactSignature(artifact, 'not base64 !!', publicPem)).toMatchObject({ ok: false });
    expect(await verifyArtifactSignature(artifact, null, publicPem)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/unsigned/),
    });
  });

  it('the compiled-in key is an Ed25519 public key (no private key in the app)', () => {
    expect(UPDATE_PUBLIC_KEY_PEM).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(UPDATE_PUBLIC_KEY_PEM).not.toMatch(/PRIVATE/);
  });
});

describe('update install policy', () => {
  it('Linux needs a valid detached signature; Windows and macOS rely on the code signature check', () => {
    expect(updateVerdict('linux', { ok: true })).toEqual({ install: true });
    expect(updateVerdict('linux', { ok: false, reason: 'unsigned update' })).toEqual({
      install: false,
      reason: 'unsigned update',
    });
    expect(updateVerdict('win32', null)).toEqual({ install: true });
  });

  it('the signature sits beside the artifact on the feed', () => {
    expect(signatureUrlFor('https://updates.rollcall.invalid/kiosk', 'Rollcall-0.2.0-x86_64.AppImage')).toBe(
      'https://updates.rollcall.invalid/kiosk/Rollcall-0.2.0-x86_64.AppImage.sig',
    );
    expect(signatureUrlFor('https://updates.rollcall.invalid/kiosk/', 'https://cdn.example/x.AppImage')).toBe(
      'https://cdn.example/x.AppImage.sig',
    );
  });

  it('only https feeds are used', () => {
    expect(feedUrlOrNull('https://updates.example/rollcall')).toBe('https://updates.example/rollcall');
    expect(feedUrlOrNull('http://updates.example/rollcall')).toBeNull();
    expect(feedUrlOrNull('file:///tmp/feed')).toBeNull();
  });
});
