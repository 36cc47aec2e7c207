import type { Precision } from '../../core/ingest/line-protocol.ts';
import type { JsonArrayPieces, ParseOutcome } from '../../core/ingest/validation.ts';

/**
 * The edge parsers the ingest endpoints use (implemented in `src/core/ingest/`). Each validates
 * untrusted text and never throws on bad data: bad items become rejections, and a body that
 * cannot be read at all is `malformed`. `nowMillis` bounds how far in the future timestamps may be.
 */
export interface BatchParsers {
  /** A JSON batch `[{sensor, ts, value}]` or one object; `sensor` (an MQTT topic's) names every item; an item naming another is refused. */
  json(text: string | JsonArrayPieces, nowMillis: number, sensor?: string): ParseOutcome;
  senml(text: string | JsonArrayPieces, nowMillis: number): ParseOutcome;
  /** `text` whole, or in pieces each ending after a newline but the last. */
  lineProtocol(text: string | readonly string[], precision: Precision, nowMillis: number): ParseOutcome;
}
