/**
 * Graceful shutdown for our Fastify servers. close() stops accepting connections and waits
 * for the open ones; a keep-alive connection that goes idle *after* close() began would keep it
 * waiting for the client (up to Fastify's 72 s keep-alive timeout). So while closing, every
 * response ends its connection, and after a deadline whatever is left is cut.
 */
import type { FastifyInstance } from 'fastify';

export function gracefulClose(app: FastifyInstance, deadlineMs = 10_000): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    // Idle keep-alive connections carry no request: end them now rather than at the deadline.
    setImmediate(() => app.server.closeIdleConnections());
    setTimeout(() => app.server.closeAllConnections(), deadlineMs).unref();
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
