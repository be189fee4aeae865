// The real face engine (src/ml, WASM here), loaded once per e2e file and shared by the test
// server's photo import and the kiosks of that file.
import { pino } from 'pino';
import { createFaceEngine } from '../../src/ml/index.js';
import type { FaceEngine } from '../../src/ml/types.js';

export function loadEngine(): Promise<FaceEngine> {
  return createFaceEngine({}, { logger: pino({ level: 'warn' }) });
}
