// The face engine's public shape. The kiosk core, the server's photo import, eval and bench
// all code against this; the implementation lives beside it in src/ml/.

export type Backend = 'tensorflow' | 'wasm' | 'cpu';

/** A decoded RGB frame, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface FaceQuality {
  /** Face box height in pixels. */
  size: number;
  /** Degrees; 0 is frontal. */
  yaw: number;
  pitch: number;
  roll: number;
  /** 0..1, higher is sharper (variance of the Laplacian at the face's own resolution, normalised). */
  sharpness: number;
  /** Mean luminance 0..255 of the face crop. */
  brightness: number;
}

export interface DetectedFace {
  /** [x, y, width, height] in frame pixels. */
  box: [number, number, number, number];
  detectionScore: number;
  quality: FaceQuality;
  /** Human's antispoof score, 0..1, higher = real. */
  antispoof: number;
  /** Human's liveness score, 0..1, higher = live. */
  liveness: number;
  /**
   * Presentation-attack signals for the liveness decision (src/ml/liveness); absent when the
   * engine runs without them (`presentation: false`).
   */
  presentation?: PresentationSignals;
  /** L2-normalised embedding from the engine's model (modelId). */
  embedding: Float32Array;
  /** Which gates failed (empty = passes every gate and may be matched). */
  gateFailures: GateFailure[];
  /**
   * Embedding of the mirror image of the face, only when analyse() was asked for it
   * ({ mirror: true }, for enrolment): store it as an extra template of the same person so a
   * probe turned the other way still finds a close template.
   */
  mirrorEmbedding?: Float32Array;
}

export interface PresentationSignals {
  /** fr_liveness.onnx (MiniFASNet-style) probability that the crop is live, 0..1. */
  fasnet: number;
  /** All three FASNet class probabilities (class 0 live; 1 and 2 attack classes). */
  fasnetProbs: number[];
  /** Live probabilities of the engine's extra FASNet views (`fasnetViews` option), in order. */
  fasnetViews?: number[];
  /** The mesh's face box [x, y, w, h] in frame pixels that the context crops are taken around. */
  faceBox?: [number, number, number, number];
  /** Mean eye aspect ratio from the mesh (open ~0.25-0.35, closed < 0.15). */
  eyeOpenness: number;
  /** A few mesh points [x, y, z, …] in frame pixels (src/ml/liveness/mesh-cues.ts), for motion cues. */
  keypoints: number[];
  /** Texture figures of the context crop (src/ml/liveness/texture.ts). */
  fineDetail: number;
  saturation: number;
  glare: number;
}

export interface AnalyseOptions {
  /** Also compute each face's mirror-image embedding (enrolment; costs one more embedding). */
  mirror?: boolean;
}

export type GateFailure = 'too_small' | 'pose' | 'blur' | 'too_dark' | 'spoof' | 'not_live';

export interface FrameAnalysis {
  faces: DetectedFace[];
  /** detect + embed wall time in ms (decode excluded). */
  inferenceMs: number;
  /** The part of inferenceMs spent on presentation-attack signals (all faces); 0 when off. */
  presentationMs?: number;
  width: number;
  height: number;
}

export interface FaceEngine {
  readonly backend: Backend;
  /** Identifies the embedding space; templates from another model never match. */
  readonly modelId: string;
  readonly embeddingSize: number;
  /** Analyse an encoded JPEG/PNG buffer or an already decoded frame. */
  analyse(input: Uint8Array | RgbImage, options?: AnalyseOptions): Promise<FrameAnalysis>;
  dispose(): Promise<void>;
  /** Off-thread engines report analysed/failed/dropped frames (see EngineStats). */
  stats?(): EngineStats;
}

export interface MatchResult {
  /** Best person, or null when the gallery is empty. */
  personId: string | null;
  score: number;
  secondPersonId: string | null;
  secondScore: number;
  margin: number;
  /** score >= threshold AND margin >= minMargin. */
  accepted: boolean;
}

/** Counters of an engine that runs off-thread (createFaceEngine's default). */
export interface EngineStats {
  /** Frames analysed successfully. */
  analysed: number;
  /** Frames that failed (bad image, engine error). */
  failed: number;
  /** Frames refused without analysis, by reason. */
  dropped: { busy: number };
  /** Frames in flight (being analysed or queued). */
  pending: number;
}
