// Entry of the inference worker thread. Owns one LocalFaceEngine; analyses one frame at a time
// (the caller side bounds the queue). Bundle this file as its own entry for Electron — see
// docs/recognition.md "Bundling the worker".
import { parentPort } from 'node:worker_threads';
import pino from 'pino';
import { LocalFaceEngine } from './local-engine.js';
import { serializeError, type FromWorker, type ToWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');

function send(msg: FromWorker): void {
  port!.postMessage(msg);
}

let engine: LocalFaceEngine | null = null;

port.on('message', (msg: ToWorker) => {
  void handle(msg);
});

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init': {
      // Log lines go to the caller's thread, which writes them with its own logger (its
      // destination, fields and format), instead of straight to this process's stderr.
      const log = pino(
        { name: 'ml-worker', level: msg.logLevel },
        { write: (line: string) => send({ type: 'log', line }) },
      );
      try {
        engine = await LocalFaceEngine.create({ ...msg.options, inProcess: true }, log);
        send({
          type: 'ready',
          backend: engine.backend,
          modelId: engine.modelId,
          embeddingSize: engine.embeddingSize,
          timings: engine.timings,
        });
      } catch (err) {
        send({ type: 'init-error', error: serializeError(err) });
      }
      return;
    }
    case 'analyse': {
      try {
        if (!engine) throw new Error('face engine not initialised');
        const analysis = await engine.analyse(msg.input, msg.options);
        // Embeddings are fresh arrays: transfer their buffers instead of copying.
        port!.postMessage(
          { type: 'result', id: msg.id, analysis } satisfies FromWorker,
          analysis.faces.flatMap((f) =>
            [f.embedding, ...(f.mirrorEmbedding ? [f.mirrorEmbedding] : [])].map(
              (e) => e.buffer as ArrayBuffer,
            ),
          ),
        );
      } catch (err) {
        send({ type: 'error', id: msg.id, error: serializeError(err) });
      }
      return;
    }
    case 'tensors':
      send({ type: 'tensors', id: msg.id, count: engine?.tensorCount() ?? 0 });
      return;
    case 'dispose':
      await engine?.dispose();
      engine = null;
      send({ type: 'disposed' });
      return;
  }
}
