// Signs a Linux update artifact for the kiosk's auto-update: writes `<artifact>.sig`, base64 of
// an Ed25519 signature over the artifact's sha512 digest, to upload beside the artifact on the
// feed. The private key (PKCS#8 PEM) stays with whoever publishes releases, never in the repo.
//   npm run sign-update -- release/0.2.0/Rollcall-0.2.0-x86_64.AppImage /secure/rollcall-update-key.pem
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { UPDATE_PUBLIC_KEY_PEM } from '../src/main/update-key.js';
import { sha512OfFile } from '../src/main/update-signature.js';

async function main(): Promise<void> {
  const [artifact, keyFile] = process.argv.slice(2);
  if (!artifact || !keyFile) {
    process.stderr.write('usage: npm run sign-update -- <artifact> <ed25519-private-key.pem>\n');
    process.exit(2);
  }
  const key = createPrivateKey(readFileSync(keyFile));
  const digest = await sha512OfFile(artifact);
  const signature = sign(null, digest, key);
  // Refuse to publish a signature the shipped kiosks would reject.
  if (!verify(null, digest, createPublicKey(UPDATE_PUBLIC_KEY_PEM), signature)) {
    process.stderr.write(
      'sign-update: this key does not match UPDATE_PUBLIC_KEY_PEM in src/main/update-key.ts\n',
    );
    process.exit(1);
  }
  writeFileSync(`${artifact}.sig`, `${signature.toString('base64')}\n`);
  process.stdout.write(`${artifact}.sig\n`);
}

void main();
