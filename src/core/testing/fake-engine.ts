// A small deterministic FaceEngine for unit tests of the attendance engine and the kiosk
// API: a "frame" is a JSON description of the faces in it, and each person's embedding is
// a fixed one-hot vector. The scenario and the end-to-end paths use the real engine.
import { embeddingSizeOf } from '../../ml/embedders.js';
import type {
  DetectedFace,
  FaceEngine,
  FrameAnalysis,
  GateFailure,
  PresentationSignals,
  RgbImage,
} from '../../ml/types.js';

export interface FakeFace {
  /** Person seen; '?' + anything = a stranger (random-ish but fixed embedding). */
  who: string;
  gates?: GateFailure[];
  size?: number;
  /** A photo or screen held up to the camera: presentation signals of an attack. */
  spoof?: boolean;
}

/**
 * Presentation signals like those the real engine measured on a live face and on a phone
 * screen (the spoof-dev development set: FASNet live probability ~0.97 for a typical live image; ≤ 0.0002
 * for 40 % of the attack images); the attendance tests check that the shipped liveness
 * calibration accepts the one and rejects the other.
 */
export const FAKE_LIVE_SIGNALS: PresentationSignals = {
  fasnet: 0.97,
  fasnetProbs: [0.97, 0.02, 0.01],
  eyeOpenness: 0.3,
  keypoints: [],
  fineDetail: 0.7,
  saturation: 0.2,
  glare: 0,
};
export const FAKE_SPOOF_SIGNALS: PresentationSignals = {
  fasnet: 0.0002,
  fasnetProbs: [0.0002, 0.99, 0.0098],
  eyeOpenness: 0.3,
  keypoints: [],
  fineDetail: 0.6,
  saturation: 0.24,
  glare: 0,
};

export const FAKE_DIMS = 16;

/** One-hot per person (strangers spread evenly), `dims` long: the shipped model's size when a test names it. */
export function fakeEmbedding(who: string, dims = FAKE_DIMS): Float32Array {
  const v = new Float32Array(dims);
  let h = 0;
  for (const c of who) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  if (who.startsWith('?')) {
    // Strangers: spread evenly, so they match nobody strongly.
    v.fill(1 / Math.sqrt(dims));
  } else {
    v[h % dims] = 1;
  }
  return v;
}

export const fakeFrame = (...faces: FakeFace[]): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(faces));

export class FakeFaceEngine implements FaceEngine {
  readonly backend = 'cpu' as const;
  /** FAKE_DIMS, or the size of the shipped model when the engine is given its id (the server checks it). */
  readonly embeddingSize: number;
  calls = 0;
  /**
   * Optional artificial latency, to exercise frame dropping; the model id it reports (a test of
   * something only calibrated models may do names the shipped one).
   */
  constructor(
    private readonly delayMs = 0,
    readonly modelId: string = 'fake-v1',
  ) {
    this.embeddingSize = embeddingSizeOf(modelId) ?? FAKE_DIMS;
  }

  async analyse(input: Uint8Array | RgbImage): Promise<FrameAnalysis> {
    this.calls++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (!(input instanceof Uint8Array))
      return { faces: [], inferenceMs: 1, width: input.width, height: input.height };
    let faces: FakeFace[];
    try {
      faces = JSON.parse(new TextDecoder().decode(input)) as FakeFace[];
      if (!Array.isArray(faces)) throw new Error('not a list');
    } catch {
      throw new Error('could not decode frame: corrupt image data');
    }
    return {
      width: 640,
      height: 480,
      inferenceMs: 5,
      faces: faces.map((f, i): DetectedFace => ({
        box: [100 + i * 200, 100, f.size ?? 150, f.size ?? 150],
        detectionScore: 0.99,
        quality: { size: f.size ?? 150, yaw: 0, pitch: 0, roll: 0, sharpness: 0.8, brightness: 120 },
        antispoof: 0.95,
        liveness: 0.95,
        presentation: f.spoof ? FAKE_SPOOF_SIGNALS : FAKE_LIVE_SIGNALS,
        embedding: fakeEmbedding(f.who, this.embeddingSize),
        gateFailures: f.gates ?? [],
      })),
    };
  }

  async dispose(): Promise<void> {}
}
