import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Closes an HTTP server without cutting requests it is handling. */
export interface ConnectionDrain {
  /**
   * Stops listening; every response from now on (also of requests already being handled) carries
   * `Connection: close`, so busy keep-alive clients stop sending on connections about to end.
   * Resolves once every connection is closed; those still open after `graceMillis` are cut.
   */
  close(graceMillis: number): Promise<void>;
}

/** Watches the responses of `server` so that `close` can end keep-alive connections cleanly. */
export function connectionDrain(server: Server): ConnectionDrain {
  const open = new Set<ServerResponse>();
  let closing = false;
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (closing) {
      response.shouldKeepAlive = false;
      return;
    }
    open.add(response);
    response.once('close', () => open.delete(response));
  });
  return {
    async close(graceMillis) {
      closing = true;
      for (const response of open) if (!response.headersSent) response.shouldKeepAlive = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // A response already under way when closing began (a live stream) leaves its connection idle
      // and open when it ends: such connections are closed as they appear.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      const force = setTimeout(() => server.closeAllConnections(), graceMillis);
      try {
        await closed;
      } finally {
        clearInterval(sweep);
        clearTimeout(force);
      }
    },
  };
}
