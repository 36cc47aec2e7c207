import {
  maxHeaderSize,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { ownValue } from '../../core/input-checks.ts';
import { apiSecurityHeaders } from './middleware/security-headers.ts';

/**
 * What a client is told when its request line and headers exceed Node's limit (the URL of a live
 * stream or a `latest` query naming thousands of sensors): Node's own answer is a bare 431.
 */
export const headerOverflowError =
  `the request line and headers exceed Node's limit of ${maxHeaderSize} bytes; ` +
  'send long sensor lists in a POST body: POST /api/v1/stream, POST /api/v1/latest';

/** A complete HTTP/1.1 answer that closes the connection, as Node's own answers to client errors do. */
function rawAnswer(status: number, json?: string): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n`;
  if (json === undefined) return `${head}\r\n`;
  for (const [name, value] of Object.entries(apiSecurityHeaders)) head += `${name}: ${value}\r\n`;
  head += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n`;
  return `${head}\r\n${json}`;
}

/** Node's answers (`_http_server.js`), by error code; any other code is a 400. */
const answers: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: rawAnswer(431, JSON.stringify({ error: headerOverflowError })),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: rawAnswer(413),
  ERR_HTTP_REQUEST_TIMEOUT: rawAnswer(408),
};
const badRequest = rawAnswer(400);

/**
 * Answers the requests Node's HTTP parser refuses before any route sees them (`clientError`). Node
 * answers them itself only while nothing listens to that event: this listener answers as it does
 * (same status, same care), except that oversize headers get a JSON body saying where long sensor
 * lists go instead.
 */
export function answerClientErrors(server: Server): void {
  // The responses under way on each connection: an answer written into one whose headers have
  // gone out would corrupt it, so then the connection is only closed (as Node does).
  const open = new WeakMap<Duplex, Set<ServerResponse>>();
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    let responses = open.get(socket);
    if (responses === undefined) open.set(socket, (responses = new Set()));
    responses.add(response);
    response.once('close', () => responses.delete(response));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const begun = [...(open.get(socket) ?? [])].some((response) => response.headersSent);
    if (socket.writable && !begun) socket.write(ownValue(answers, error.code ?? '') ?? badRequest);
    socket.destroy(error);
  });
}
