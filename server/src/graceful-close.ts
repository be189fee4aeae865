// Closing lets the requests in flight finish and then closes their connections, so a restart
// or a rolling deploy takes as long as the slowest request, not the keep-alive timeout.
// Fastify 5.12 leaves this to Node's server.close(), which closes only the keep-alive
// connections idle at that instant (fastify#7044: the 'idle' default of forceCloseConnections
// is not applied on a default server). A connection whose request was still being answered
// then stayed open after its response for the whole keep-alive timeout (72 s), and close()
// waited for it. Here the connections that have gone idle are closed until the server is closed.
import type { FastifyInstance } from 'fastify';

/** How often, while closing, the connections whose last response has been sent are closed. */
const SWEEP_MS = 50;

export function closeConnectionsAsTheyGoIdle(app: FastifyInstance): void {
  app.addHook('preClose', async () => {
    const server = app.server;
    if (!server.listening) return;
    const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
    sweep.unref();
    server.once('close', () => clearInterval(sweep));
  });
}
