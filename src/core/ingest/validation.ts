import type { ParsedBatch, Rejection, RejectionRule } from '../readings/reading.ts';
import { ColumnarBatch, ReadingColumnsBuilder, presized } from '../readings/reading-columns.ts';
import { idCharacterRule } from '../registry/validate.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan, tooDeep } from '../json-text.ts';

/** Limits applied to every reading at the edge. */
export interface ValidationOptions {
  /** How far ahead of the receive time a timestamp may be (default one day). */
  maxFutureMillis: number;
  /** Longest sensor id accepted, in UTF-16 code units; at most 256, the registry's limit. */
  maxSensorIdLength: number;
}

export const defaultValidationOptions: ValidationOptions = {
  maxFutureMillis: 86_400_000,
  maxSensorIdLength: 256,
};

/** A parse either yields a batch (possibly with rejected items) or finds the whole body malformed. */
export type ParseOutcome =
  { ok: true; batch: ParsedBatch } | { ok: false; reason: 'malformed'; message: string };

const HIGH_SURROGATE_FIRST = 0xd800;
const LOW_SURROGATE_FIRST = 0xdc00;
const LOW_SURROGATE_LAST = 0xdfff;
/** What a decoder puts for bytes that are not UTF-8. */
const REPLACEMENT_CHARACTER = 0xfffd;

/**
 * Whether a sensor id passes the registry's id rule (`idPattern` of `../registry/validate.ts`: 1 to
 * 256 characters, no control character, `/`, `+` or `#`, no U+FFFD or unpaired surrogate, not `.`
 * or `..`), so that an auto-registered sensor can be edited (its URL reached), named in an MQTT
 * topic and stored as sent. A character scan, as this runs for every reading: the registry's
 * regular expression cost 4–15 % of line-protocol parsing throughput (more for the long ids of
 * Telegraf series). A test checks that both agree.
 */
export function isValidSensorId(id: string): boolean {
  const length = id.length;
  if (length === 0 || length > 256) return false;
  // '.' and '..': path segments that URL normalisation removes (46 is '.')
  if (length <= 2 && id.charCodeAt(0) === 46 && id.charCodeAt(length - 1) === 46) return false;
  for (let index = 0; index < length; index++) {
    const code = id.charCodeAt(index);
    // control characters, DEL, '/', '+', '#'
    if (code < 32 || code === 127 || code === 47 || code === 43 || code === 35) return false;
    if (code >= HIGH_SURROGATE_FIRST) {
      if (code === REPLACEMENT_CHARACTER || (code >= LOW_SURROGATE_FIRST && code <= LOW_SURROGATE_LAST))
        return false;
      if (code < LOW_SURROGATE_FIRST) {
        // A high surrogate counts only with a low one after it (one character beyond U+FFFF).
        const next = id.charCodeAt(index + 1);
        if (!(next >= LOW_SURROGATE_FIRST && next <= LOW_SURROGATE_LAST)) return false;
        index++;
      }
    }
  }
  return true;
}

/**
 * A rejected value as JSON can carry it: NaN and ±Infinity become the strings "NaN", "Infinity",
 * "-Infinity"; an array or object nested deeper than `MAX_JSON_DEPTH` is not repeated (writing it
 * would overflow the stack), a string says so instead.
 */
function echoed(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'object' && value !== null && nestsDeeperThan(value, MAX_JSON_DEPTH))
    return `(${tooDeep}: not repeated)`;
  return value;
}

/** Collects accepted readings (as columns) and rejections while a parser walks a body. */
export class BatchCollector {
  readonly rejected: Rejection[] = [];
  /**
   * Item index of each accepted reading, sized as the columns are (see `ReadingColumnsBuilder`)
   * and cut to length by `batch()`.
   */
  private readonly items: number[];
  private readonly columns: ReadingColumnsBuilder;
  private readonly latestMillis: number;

  /** `expectedReadings`: how many readings the body may hold, a guess the columns are sized by. */
  constructor(
    nowMillis: number,
    private readonly options: ValidationOptions,
    expectedReadings?: number,
  ) {
    this.latestMillis = nowMillis + options.maxFutureMillis;
    this.columns = new ReadingColumnsBuilder(expectedReadings);
    this.items = presized(expectedReadings);
  }

  reject(
    index: number,
    field: string,
    value: unknown,
    rule: RejectionRule,
    message: string,
    sensor?: string,
  ): void {
    const rejection: Rejection = { index, field, value: echoed(value), rule, message };
    if (sensor !== undefined) rejection.sensor = sensor;
    this.rejected.push(rejection);
  }

  /** The item as a plain object, or undefined after rejecting it as malformed with `message`. */
  objectItem(index: number, item: unknown, message: string): Record<string, unknown> | undefined {
    if (item !== null && typeof item === 'object' && !Array.isArray(item))
      return item as Record<string, unknown>;
    this.reject(index, '', item, 'malformed', message);
    return undefined;
  }

  /** Checks a sensor id (see `isValidSensorId`); records a rejection and returns false when it fails. */
  checkSensor(index: number, sensor: string): boolean {
    if (sensor.length <= this.options.maxSensorIdLength && isValidSensorId(sensor)) return true;
    const limit = this.options.maxSensorIdLength;
    this.reject(
      index,
      'sensor',
      sensor,
      'bad-sensor-id',
      `sensor id must be 1 to ${limit} characters ${idCharacterRule}`,
    );
    return false;
  }

  /**
   * Checks a number value and an epoch-millisecond timestamp, then accepts the reading.
   * Fractional milliseconds are truncated. Small, so that parsers' calls are inlined (a call that
   * is not boxes both numbers); a reading that fails is refused by `refuse`.
   */
  accept(
    index: number,
    sensor: string,
    ts: number,
    value: number,
    valueField = 'value',
    tsField = 'ts',
  ): void {
    if (Number.isFinite(value) && Number.isFinite(ts) && ts >= 0 && ts <= this.latestMillis) {
      this.items[this.columns.length] = index;
      this.columns.push(sensor, Math.trunc(ts), value);
    } else this.refuse(index, sensor, ts, value, valueField, tsField);
  }

  /**
   * `accept` for a reading whose timestamp and value are `numbers[at]` and `numbers[at + 1]`: a
   * parser that keeps them in a typed array hands them over without boxing either.
   */
  acceptNumbers(
    index: number,
    sensor: string,
    numbers: Float64Array,
    at: number,
    valueField: string,
    tsField: string,
  ): void {
    this.accept(index, sensor, numbers[at] as number, numbers[at + 1] as number, valueField, tsField);
  }

  /** Records why `accept` refused a reading. */
  private refuse(
    index: number,
    sensor: string,
    ts: number,
    value: number,
    valueField: string,
    tsField: string,
  ): void {
    if (Number.isNaN(value)) {
      this.reject(index, valueField, value, 'not-finite', 'value must be a finite number, got NaN', sensor);
    } else if (!Number.isFinite(value)) {
      this.reject(
        index,
        valueField,
        value,
        'not-finite',
        `value must be a finite number, got ${value}`,
        sensor,
      );
    } else if (!(ts >= 0) || !Number.isFinite(ts)) {
      this.reject(
        index,
        tsField,
        ts,
        'bad-timestamp',
        'timestamp must be at or after 1970-01-01T00:00:00Z',
        sensor,
      );
    } else {
      const hours = this.options.maxFutureMillis / 3_600_000;
      this.reject(
        index,
        tsField,
        ts,
        'future-timestamp',
        `timestamp is more than ${hours} h in the future`,
        sensor,
      );
    }
  }

  /** What was collected, as a batch. */
  batch(): ParsedBatch {
    this.items.length = this.columns.length;
    return new ColumnarBatch(this.columns.columns(), this.rejected, this.items);
  }

  result(): ParseOutcome {
    return { ok: true, batch: this.batch() };
  }
}

/** Checks option bounds, filling defaults. */
export function resolveValidationOptions(options: Partial<ValidationOptions> = {}): ValidationOptions {
  // Resolved once per server, not per message: a resolved object is handed back as it is.
  if (resolvedOptions.has(options)) return options as ValidationOptions;
  const resolved = { ...defaultValidationOptions, ...options };
  if (!(resolved.maxFutureMillis >= 0)) throw new RangeError('maxFutureMillis must be >= 0');
  if (!(resolved.maxSensorIdLength >= 1 && resolved.maxSensorIdLength <= 256))
    throw new RangeError('maxSensorIdLength must be 1 to 256');
  const frozen = Object.freeze(resolved);
  resolvedOptions.add(frozen);
  return frozen;
}

const resolvedOptions = new WeakSet<object>();

/**
 * The text of a JSON array cut between its items into arrays: each piece is meant to be `[`, one
 * or more of the items, `]`, with no space around. An adapter decoding a large body may hand it
 * over so, as V8 makes each string over 128 KiB a large object (about a millisecond for a body of
 * 5,000 readings). Where it cut is only a guess (say, after each `},`); `parseJsonThen` proves it.
 */
export interface JsonArrayPieces {
  readonly items: readonly string[];
}

/**
 * The items of an array cut into `pieces`, or undefined unless every piece is an array of at least
 * one item. Then each cut was between two items of the whole (a cut inside a string or a nested
 * value leaves its piece unclosed, and an empty piece would be two commas in a row), so the whole
 * is an array and its items are the pieces' in order.
 */
function itemsOfPieces(pieces: JsonArrayPieces): unknown[] | undefined {
  const items: unknown[] = [];
  for (const piece of pieces.items) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(piece);
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
    for (const item of parsed) items.push(item);
  }
  return items;
}

/** The whole text of an array cut into `pieces`: their insides joined by commas, in brackets. */
function wholeOfPieces(pieces: JsonArrayPieces): string {
  return `[${pieces.items.map((piece) => piece.slice(1, -1)).join(',')}]`;
}

/**
 * Parses a body as JSON, then validates it with `validate`; a body that is not JSON is malformed.
 * Shared by the JSON-batch and SenML parsers. A body in pieces whose cuts were not all between
 * items is parsed whole (the same outcome; error positions count from its opening bracket).
 */
export function parseJsonThen(
  text: string | JsonArrayPieces,
  validate: (body: unknown) => ParseOutcome,
): ParseOutcome {
  if (typeof text !== 'string') {
    const items = itemsOfPieces(text);
    if (items !== undefined) return validate(items);
    text = wholeOfPieces(text);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'malformed', message: `body is not valid JSON: ${(error as Error).message}` };
  }
  return validate(body);
}
