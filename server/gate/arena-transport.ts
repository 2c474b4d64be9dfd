import type { IncomingMessage } from 'node:http';
import { WebSocketTransport } from '@colyseus/ws-transport';
import type { Server as HttpServer } from 'node:http';
import type { WebSocket } from 'ws';
import { moduleLogger } from '../logger.ts';

const log = moduleLogger('gate');

/** Options of the arena's WebSocket transport. */
export interface ArenaTransportOptions {
  server: HttpServer;
  /** Largest frame a client may send, in bytes: `ws` closes the connection (1009) before reading a larger one. */
  maxBytes: number;
}

/**
 * Colyseus's WebSocket transport with the frame size bounded and raw transport
 * errors (oversized, undecodable or malformed frames) logged once per
 * connection through pino at `warn`, without a stack trace: a client that
 * sends them must not be able to flood the log (see `colyseusLogger`, which
 * keeps Colyseus's own copy of the same error out of it).
 */
export class ArenaTransport extends WebSocketTransport {
  constructor(options: ArenaTransportOptions) {
    super({ server: options.server, maxPayload: options.maxBytes });
    this.wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
      socket.once('error', (err: Error & { code?: string }) => {
        log.warn({ remoteAddress: req.socket.remoteAddress, code: err.code, reason: err.message.slice(0, 200) }, 'closed a WebSocket that sent a bad frame');
      });
    });
  }
}
