// The face engine as the kiosk holds it: absent while it loads, then ready or failed, and
// failed again if it crashes later. The status is what the screen's status line shows.
import type { KioskState } from '../contracts/kiosk-api.js';
import type { FaceEngine } from '../ml/types.js';

export class FaceEngineSlot {
  engine: FaceEngine | null = null;
  readonly status: KioskState['engine'] = {
    state: 'loading',
    progress: 0,
    backend: null,
    modelId: null,
    error: null,
  };

  /** The running face engine's model (null while it loads): the model templates must be of to be usable. */
  modelId(): string | null {
    return this.engine?.modelId ?? null;
  }

  loaded(engine: FaceEngine): void {
    this.engine = engine;
    Object.assign(this.status, {
      state: 'ready',
      progress: 1,
      backend: engine.backend,
      modelId: engine.modelId,
      error: null,
    });
  }

  failed(err: unknown): void {
    Object.assign(this.status, { state: 'error', error: err instanceof Error ? err.message : String(err) });
  }
}
