// The Ed25519 public key that signs Rollcall's Linux update artifacts, compiled into the app:
// an update is installed only if `<artifact>.sig` verifies with it (update-signature.ts). The
// private key never enters the repository; whoever publishes releases keeps it offline and
// signs with `npm run sign-update -- <artifact> <private-key.pem>`. A deployment that builds
// its own releases replaces this key with its own (and keeps its private key the same way).
/** The update feed, fixed at build time; must equal electron-builder.yml's publish.url (tested). */
export const UPDATE_FEED_URL = 'https://updates.rollcall.invalid/kiosk';

export const UPDATE_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAQHnnx0CvYndBj/35UxBH9V/SUYgffJZjtTa7D7rwyqE=
-----END PUBLIC KEY-----
`;
