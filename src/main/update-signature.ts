// Is this update ours? Linux AppImage/deb have no platform code-signature check, so each
// artifact on the feed has a detached `<artifact>.sig`: base64 of an Ed25519 signature over the
// artifact's raw sha512 digest, checked with the public key compiled into the app before
// quitAndInstall. Windows (NSIS) is checked by electron-updater against the code-signing
// publisher instead. Pure Node (no Electron), so it is unit-tested.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type SignatureCheck = { ok: true } | { ok: false; reason: string };
export type UpdateVerdict = { install: true } | { install: false; reason: string };

/** sha512 of a file, streamed (AppImages are ~200 MB). */
export async function sha512OfFile(path: string): Promise<Buffer> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest();
}

export async function verifyArtifactSignature(
  path: string,
  signatureB64: string | null,
  publicKeyPem: string,
): Promise<SignatureCheck> {
  if (signatureB64 === null || signatureB64.trim() === '')
    return { ok: false, reason: 'unsigned update: no detached signature on the feed' };
  const text = signatureB64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return { ok: false, reason: 'malformed update signature' };
  const signature = Buffer.from(text, 'base64');
  if (signature.length !== 64)
    return { ok: false, reason: 'malformed update signature (an Ed25519 signature is 64 bytes)' };
  let key;
  try {
    key = createPublicKey(publicKeyPem);
  } catch {
    return { ok: false, reason: 'no usable update public key in this build' };
  }
  const digest = await sha512OfFile(path);
  return verify(null, digest, key, signature)
    ? { ok: true }
    : {
        ok: false,
        reason: 'update signature does not match the artifact (tampered, or not signed with our key)',
      };
}

/**
 * Linux needs a valid detached signature (`check`); other platforms rely on electron-updater's
 * code-signature check, which refuses the download before 'update-downloaded'.
 */
export function updateVerdict(platform: NodeJS.Platform, check: SignatureCheck | null): UpdateVerdict {
  if (platform !== 'linux') return { install: true };
  if (check === null) return { install: false, reason: 'update signature not checked' };
  return check.ok ? { install: true } : { install: false, reason: check.reason };
}

/** Where the detached signature of an artifact lives: beside it on the feed. */
export function signatureUrlFor(feedUrl: string, artifactUrl: string): string {
  const base = feedUrl.endsWith('/') ? feedUrl : `${feedUrl}/`;
  return `${new URL(artifactUrl, base).toString()}.sig`;
}
