import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { status } from './constants.ts';
import { Reader, Writer } from './storage.ts';

/** One TraCI command in a message; `read` consumes what SUMO sends after the command's status. */
export interface TraciRequest<T> {
  readonly id: number;
  readonly content: Buffer;
  readonly read: (reader: Reader) => T;
}

/** SUMO answered a command with a failure status; the description is SUMO's. */
export class TraciError extends Error {
  constructor(
    readonly commandId: number,
    readonly description: string,
  ) {
    super(`TraCI command 0x${commandId.toString(16)} failed: ${description}`);
    this.name = 'TraciError';
  }
}

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  /** Attempts before giving up (default 300, i.e. 30 s at 100 ms): SUMO opens its port only after loading the net. */
  readonly attempts?: number;
  readonly retryMillis?: number;
  /** Ends the attempts (SUMO could not start or exited): without it they went on for 30 s. */
  readonly signal?: AbortSignal;
}

/**
 * A framed TraCI connection: every message is a 32-bit total length followed by commands;
 * SUMO answers each message with exactly one message. Exchanges run one at a time.
 */
export class TraciConnection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiting: { resolve: (message: Buffer) => void; reject: (error: Error) => void } | undefined;
  private closedError: Error | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('TraCI connection closed by SUMO')));
  }

  static async connect(options: ConnectOptions): Promise<TraciConnection> {
    const attempts = options.attempts ?? 300;
    const retryMillis = options.retryMillis ?? 100;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (options.signal?.aborted === true) throw new Error('connecting to SUMO was given up');
      try {
        const socket = await openSocket(options.host, options.port);
        return new TraciConnection(socket);
      } catch (error) {
        lastError = error;
        await delay(retryMillis);
      }
    }
    throw new Error(
      `cannot connect to SUMO at ${options.host}:${options.port} after ${attempts} attempts: ${String(lastError)}`,
    );
  }

  /** Sends the commands in one message and returns what each command's `read` produced. */
  exchange<T extends readonly TraciRequest<unknown>[]>(
    requests: T,
  ): Promise<{ [K in keyof T]: T[K] extends TraciRequest<infer R> ? R : never }> {
    const run = this.chain.then(() => this.exchangeNow(requests));
    this.chain = run.catch(() => undefined);
    return run as Promise<{ [K in keyof T]: T[K] extends TraciRequest<infer R> ? R : never }>;
  }

  private async exchangeNow(requests: readonly TraciRequest<unknown>[]): Promise<unknown[]> {
    if (requests.length === 0) return [];
    const body = new Writer();
    for (const request of requests) {
      const length = 2 + request.content.length;
      if (length <= 255) body.ubyte(length);
      else body.ubyte(0).int(length + 4);
      body.ubyte(request.id).bytes(request.content);
    }
    const frame = new Writer()
      .int(body.size + 4)
      .bytes(body.toBuffer())
      .toBuffer();
    const answer = this.nextMessage();
    this.socket.write(frame);
    const reader = new Reader(await answer);
    const results: unknown[] = [];
    for (const request of requests) {
      reader.commandLength();
      const answeredId = reader.ubyte();
      const result = reader.ubyte();
      const description = reader.string();
      if (result !== status.ok) throw new TraciError(request.id, description || `status ${result}`);
      if (answeredId !== request.id) {
        throw new Error(
          `TraCI answer for command 0x${answeredId.toString(16)} where 0x${request.id.toString(16)} was sent`,
        );
      }
      results.push(request.read(reader));
    }
    return results;
  }

  private nextMessage(): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.deliver();
  }

  private deliver(): void {
    if (!this.waiting || this.buffered < 4) return;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    const data = this.chunks[0] as Buffer;
    const total = data.readInt32BE(0);
    if (data.length < total) return;
    const message = data.subarray(4, total);
    const rest = data.subarray(total);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.resolve(message);
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  /** Closes the socket without the TraCI close command (use the client's `close()` for an orderly end). */
  destroy(): void {
    this.closedError ??= new Error('TraCI connection closed');
    this.socket.destroy();
  }
}

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}
