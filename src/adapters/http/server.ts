import type { Server } from 'node:http';
import { serve, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { answerClientErrors } from './client-errors.ts';

/** What one HTTP server accepts: slow or idle clients are cut off and connections are capped. */
export interface ServerLimits {
  /** Connections open at once; further ones are closed as they arrive. */
  maxConnections: number;
  /** Time a client has to send a request's headers, answered 408 after it. */
  headersTimeoutMillis: number;
  /**
   * Time a client has to send a whole request, body included (408 after it). A response still
   * being written, such as the live stream, is not cut by it.
   */
  requestTimeoutMillis: number;
}

/** A server's request handler, as `listen` takes it. */
/** A request handler; on Node, `bindings` are the server's (the connection objects), for the app. */
export type FetchHandler = (
  request: Request,
  bindings?: HttpBindings | Http2Bindings,
) => Response | Promise<Response>;

export interface ListenOptions extends ServerLimits {
  host: string;
  port: number;
}

/** An idle keep-alive connection is closed after this long (Node's default, made explicit). */
export const keepAliveTimeoutMillis = 5_000;
/** How often the header and request deadlines are checked (Node's default, 30 s, would add up to that much). */
const deadlineCheckMillis = 1_000;

/**
 * Starts an HTTP server for `fetch` with `limits`; resolves once it listens, rejects if it cannot.
 * Requests its parser refuses are answered by `answerClientErrors`.
 */
export function listen(fetch: FetchHandler, options: ListenOptions): Promise<Server> {
  if (options.headersTimeoutMillis > options.requestTimeoutMillis)
    throw new RangeError(
      `headersTimeoutMillis (${options.headersTimeoutMillis}) must not exceed requestTimeoutMillis (${options.requestTimeoutMillis})`,
    );
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch,
        port: options.port,
        hostname: options.host,
        serverOptions: {
          headersTimeout: options.headersTimeoutMillis,
          requestTimeout: options.requestTimeoutMillis,
          keepAliveTimeout: keepAliveTimeoutMillis,
          connectionsCheckingInterval: deadlineCheckMillis,
        },
      },
      () => resolve(server as Server),
    ) as Server;
    server.maxConnections = options.maxConnections;
    answerClientErrors(server);
    server.once('error', reject);
  });
}
