import { isFloatText, isIntegerText, plainDecimalInto } from './line-number.ts';
import {
  BatchCollector,
  resolveValidationOptions,
  type ParseOutcome,
  type ValidationOptions,
} from './validation.ts';

/** Timestamp precisions of the InfluxDB `/write` endpoint (`n`, `u`, `ms`, `s`, `m`, `h` and long forms). */
export type Precision = 'ns' | 'us' | 'ms' | 's' | 'm' | 'h';

const PRECISION_ALIASES: Readonly<Record<string, Precision>> = {
  ns: 'ns',
  n: 'ns',
  us: 'us',
  u: 'us',
  µ: 'us',
  ms: 'ms',
  s: 's',
  m: 'm',
  h: 'h',
};

/** Reads the `precision` query parameter; undefined means nanoseconds, an unknown one gives undefined. */
export function parsePrecision(text: string | undefined): Precision | undefined {
  return text === undefined || text === '' ? 'ns' : PRECISION_ALIASES[text];
}

const COMMA = 44;
const SPACE = 32;
const EQUALS = 61;
const BACKSLASH = 92;
const QUOTE = 34;
const CARRIAGE_RETURN = 13;
const TAB = 9;
const HASH = 35;

/**
 * What the columns of a body are first sized by: a line of one short sensor's reading is about 30
 * characters; longer lines (Telegraf's series) mostly hold more fields. Columns too short grow.
 */
const CHARACTERS_PER_READING = 32;

/** Where the current line's timestamp and the current field's value are kept in `LineScanner.numbers`. */
const TIMESTAMP = 0;
const VALUE = 1;

/** Digits to drop (or factor to apply) to turn a timestamp of each precision into milliseconds. */
const DROPPED_DIGITS: Readonly<Record<Precision, number>> = { ns: 6, us: 3, ms: 0, s: 0, m: 0, h: 0 };
const MILLIS_FACTOR: Readonly<Record<Precision, number>> = {
  ns: 1,
  us: 1,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses InfluxDB line protocol as Telegraf sends it:
 * `measurement[,tag=value...] field=value[,field=value...] [timestamp]`, with backslash escapes.
 * Every numeric field (float, `i` integer, `u` unsigned, in InfluxDB's syntax and 64-bit ranges)
 * becomes one reading; string and boolean fields are skipped, and a line with no other fields is
 * refused (`not-a-number`). Sensor id: the `sensor` tag's value when the field is `value`, else
 * `<sensor>.<field>`; without a `sensor` tag, `<measurement>.<field>` followed by every tag as
 * `,key=value` in key order (the series key of InfluxDB). In the names and values that build an id
 * (all but the `sensor` tag's value) `/`, `+` and `#`, which sensor ids may not hold, are written
 * `%2F`, `%2B` and `%23`. Timestamps default to `nowMillis`; fractions of a millisecond are
 * truncated. Rejections carry index = line number − 1.
 * The body is malformed when it has lines and none of them could be read.
 *
 * `body` is the text, or the text in pieces each ending after a newline but the last (line numbers
 * run on across them): an adapter decoding a large body may hand it over so, as V8 makes each
 * string over 128 KiB a large object, about a millisecond for a body of 5,000 lines.
 */
export function parseLineProtocol(
  body: string | readonly string[],
  precision: Precision,
  nowMillis: number,
  options: Partial<ValidationOptions> = {},
): ParseOutcome {
  const characters =
    typeof body === 'string' ? body.length : body.reduce((sum, piece) => sum + piece.length, 0);
  const collector = new BatchCollector(
    nowMillis,
    resolveValidationOptions(options),
    Math.ceil(characters / CHARACTERS_PER_READING),
  );
  const counts = { lineIndex: 0, lines: 0, readable: 0 };
  if (typeof body === 'string') scanLines(body, collector, precision, nowMillis, counts);
  else for (const piece of body) scanLines(piece, collector, precision, nowMillis, counts);
  if (counts.lines > 0 && counts.readable === 0) {
    const first = collector.rejected[0];
    return {
      ok: false,
      reason: 'malformed',
      message: `no line could be read${first ? `: line ${first.index + 1}: ${first.message}` : ''}`,
    };
  }
  return collector.result();
}

/** Reads the lines of `text` into `collector`, counting them on from `counts`. */
function scanLines(
  text: string,
  collector: BatchCollector,
  precision: Precision,
  nowMillis: number,
  counts: { lineIndex: number; lines: number; readable: number },
): void {
  const scanner = new LineScanner(text, collector, precision, nowMillis);
  let { lineIndex, lines, readable } = counts;
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    let last = end;
    if (last > start && text.charCodeAt(last - 1) === CARRIAGE_RETURN) last--;
    let first = start;
    while (first < last && (text.charCodeAt(first) === SPACE || text.charCodeAt(first) === TAB)) first++;
    if (first < last && text.charCodeAt(first) !== HASH) {
      lines++;
      if (scanner.line(lineIndex, first, last)) readable++;
    }
    lineIndex++;
    start = end + 1;
  }
  counts.lineIndex = lineIndex;
  counts.lines = lines;
  counts.readable = readable;
}

function unescape(raw: string): string {
  return raw.replace(/\\([,= "\\])/g, '$1');
}

const TOPIC_CHARACTERS = /[/+#]/g;
const TOPIC_ESCAPES: Readonly<Record<string, string>> = { '/': '%2F', '+': '%2B', '#': '%23' };

/** A name as part of a sensor id: `/`, `+` and `#` (refused in ids, as MQTT topic syntax) percent-encoded. */
function idPart(name: string): string {
  return name.includes('/') || name.includes('+') || name.includes('#')
    ? name.replace(TOPIC_CHARACTERS, (character) => TOPIC_ESCAPES[character] as string)
    : name;
}

/** Scans one line at a time; fields hold the position of the current line. */
class LineScanner {
  /**
   * The current line's tags as positions, three numbers a tag (key start, key end, value end; the
   * value starts after the key's `=`): a line is read without making a string of what it does not keep.
   */
  private tags = new Int32Array(3 * 8);
  private tagCount = 0;
  /**
   * The line's timestamp and the field's value (at TIMESTAMP and VALUE), handed from one method to
   * the next in a typed array: a number passed to or returned from a call that is not inlined is an
   * object of its own, two or three made per reading on the ingest path.
   */
  private readonly numbers = new Float64Array(2);
  /** The precision's digits dropped and factor to milliseconds, looked up once and not per line. */
  private readonly droppedDigits: number;
  private readonly millisFactor: number;

  constructor(
    private readonly text: string,
    private readonly collector: BatchCollector,
    private readonly precision: Precision,
    private readonly nowMillis: number,
  ) {
    this.droppedDigits = DROPPED_DIGITS[precision];
    this.millisFactor = MILLIS_FACTOR[precision];
  }

  /** Reads one line; returns false (after recording a rejection) when its structure is malformed. */
  line(index: number, start: number, end: number): boolean {
    return this.sensorValueLine(index, start, end) || this.anyLine(index, start, end);
  }

  /**
   * The line of one sensor's reading, as devices and the benchmark send it,
   * `measurement,sensor=<id> value=<plain decimal>[ <integer timestamp>]`, read in one pass: true
   * once its reading is taken (or its id refused). Any other line, or one this form does not read
   * cleanly, gives false before anything is recorded, and `anyLine` reads it; for a line read here
   * the two give the same reading or rejection.
   */
  private sensorValueLine(index: number, start: number, end: number): boolean {
    const text = this.text;
    let position = start;
    for (; position < end; position++) {
      const code = text.charCodeAt(position);
      if (code === COMMA) break;
      if (code === SPACE || code === BACKSLASH) return false;
    }
    if (position === start || !text.startsWith('sensor=', position + 1)) return false;
    const idStart = position + 8;
    for (position = idStart; position < end; position++) {
      const code = text.charCodeAt(position);
      if (code === SPACE) break;
      if (code === COMMA || code === EQUALS || code === BACKSLASH) return false;
    }
    const idEnd = position;
    if (idEnd === idStart || idEnd === end || !text.startsWith('value=', idEnd + 1)) return false;
    const valueStart = idEnd + 7;
    position = valueStart;
    while (position < end && text.charCodeAt(position) !== SPACE) position++;
    const valueEnd = position;
    if (!plainDecimalInto(text, valueStart, valueEnd, this.numbers, VALUE)) return false;
    if (valueEnd === end) this.numbers[TIMESTAMP] = this.nowMillis;
    else if (valueEnd + 1 === end || !this.timestamp(valueEnd + 1, end)) return false;
    const sensor = text.slice(idStart, idEnd);
    if (this.collector.checkSensor(index, sensor))
      this.collector.acceptNumbers(index, sensor, this.numbers, TIMESTAMP, 'value', 'timestamp');
    return true;
  }

  /** Reads a line of any form (see `parseLineProtocol`). */
  private anyLine(index: number, start: number, end: number): boolean {
    const text = this.text;
    let position = this.skipToken(start, end, true);
    if (position === start) return this.malformed(index, start, end, 'line must start with a measurement');
    const measurementEnd = position;
    this.tagCount = 0;
    while (position < end && text.charCodeAt(position) === COMMA) {
      const keyStart = position + 1;
      const keyEnd = this.skipToken(keyStart, end, false);
      if (keyEnd === keyStart || text.charCodeAt(keyEnd) !== EQUALS)
        return this.malformed(index, start, end, 'tag must be key=value');
      const valueEnd = this.skipToken(keyEnd + 1, end, false);
      if (valueEnd === keyEnd + 1) return this.malformed(index, start, end, 'tag value must not be empty');
      this.addTag(keyStart, keyEnd, valueEnd);
      position = valueEnd;
    }
    if (position >= end || text.charCodeAt(position) !== SPACE)
      return this.malformed(index, start, end, 'fields must follow the measurement and tags after a space');
    const fieldsStart = position + 1;
    const fieldsEnd = this.skipFields(fieldsStart, end);
    if (fieldsEnd < 0) return this.malformed(index, start, end, 'unterminated string field');
    this.numbers[TIMESTAMP] = this.nowMillis;
    if (fieldsEnd < end) {
      let tsStart = fieldsEnd + 1;
      while (tsStart < end && text.charCodeAt(tsStart) === SPACE) tsStart++;
      let tsEnd = end;
      while (tsEnd > tsStart && text.charCodeAt(tsEnd - 1) === SPACE) tsEnd--;
      // An integer holds no space: the text is looked at again only when it is not one.
      if (tsStart < tsEnd && !this.timestamp(tsStart, tsEnd)) {
        for (let position = tsStart; position < tsEnd; position++)
          if (text.charCodeAt(position) === SPACE)
            return this.malformed(index, start, end, 'unexpected text after the timestamp');
        this.collector.reject(
          index,
          'timestamp',
          text.slice(tsStart, tsEnd),
          'bad-timestamp',
          `timestamp must be an integer in ${this.precision}`,
        );
        return true;
      }
    }
    return this.fields(index, measurementEnd, fieldsStart, fieldsEnd, end, start);
  }

  private addTag(keyStart: number, keyEnd: number, valueEnd: number): void {
    let at = 3 * this.tagCount;
    if (at + 3 > this.tags.length) {
      const grown = new Int32Array(this.tags.length * 2);
      grown.set(this.tags);
      this.tags = grown;
    }
    this.tags[at++] = keyStart;
    this.tags[at++] = keyEnd;
    this.tags[at] = valueEnd;
    this.tagCount++;
  }

  /** Whether `text[start, end)` is `word` (which holds no character an escape could stand for). */
  private spells(start: number, end: number, word: string): boolean {
    return end - start === word.length && this.text.startsWith(word, start);
  }

  private malformed(index: number, start: number, end: number, message: string): boolean {
    const line = this.text.slice(start, Math.min(end, start + 200));
    this.collector.reject(index, '', line, 'malformed', message);
    return false;
  }

  private token(start: number, end: number): string {
    const raw = this.text.slice(start, end);
    return raw.includes('\\') ? unescape(raw) : raw;
  }

  /** End of a measurement, tag key or tag value: the first unescaped comma, space (or equals sign). */
  private skipToken(position: number, end: number, measurement: boolean): number {
    const text = this.text;
    while (position < end) {
      const code = text.charCodeAt(position);
      if (code === BACKSLASH) position += 2;
      else if (code === COMMA || code === SPACE || (!measurement && code === EQUALS)) return position;
      else position++;
    }
    return Math.min(position, end);
  }

  /** End of the field set (the space before the timestamp, or the line end); -1 for an open string. */
  private skipFields(position: number, end: number): number {
    const text = this.text;
    while (position < end) {
      const code = text.charCodeAt(position);
      if (code === BACKSLASH) position += 2;
      else if (code === QUOTE) {
        position++;
        while (position < end && text.charCodeAt(position) !== QUOTE)
          position += text.charCodeAt(position) === BACKSLASH ? 2 : 1;
        if (position >= end) return -1;
        position++;
      } else if (code === SPACE) return position;
      else position++;
    }
    return end;
  }

  /**
   * Reads an integer timestamp in the scanner's precision into `numbers[TIMESTAMP]`, in
   * milliseconds (sub-millisecond digits dropped); false when it is not an integer.
   */
  private timestamp(start: number, end: number): boolean {
    const text = this.text;
    const negative = text.charCodeAt(start) === 45;
    const first = negative ? start + 1 : start;
    if (first === end) return false;
    const kept = end - this.droppedDigits;
    let value = 0;
    for (let position = first; position < end; position++) {
      const digit = text.charCodeAt(position) - 48;
      if (digit < 0 || digit > 9) return false;
      if (position < kept) value = value * 10 + digit;
    }
    // A negative time is before 1970 and refused, even when the digits kept are all zero (`-5` in
    // nanoseconds): read whole, not truncated to -0.
    this.numbers[TIMESTAMP] = negative
      ? (-Number(text.slice(first, end)) / 10 ** this.droppedDigits) * this.millisFactor
      : value * this.millisFactor;
    return true;
  }

  /** Reads key=value pairs; every numeric one becomes a reading. */
  private fields(
    index: number,
    measurementEnd: number,
    position: number,
    fieldsEnd: number,
    lineEnd: number,
    lineStart: number,
  ): boolean {
    const text = this.text;
    const prefix = this.sensorPrefix();
    const series = prefix === undefined ? idPart(this.token(lineStart, measurementEnd)) : '';
    const suffix = prefix === undefined ? idPart(this.seriesTags()) : '';
    const fieldsStart = position;
    let numericFields = 0;
    let firstField = '';
    let firstValueStart = 0;
    let firstValueEnd = 0;
    while (position < fieldsEnd) {
      const keyEnd = this.skipToken(position, fieldsEnd, false);
      if (keyEnd === position || text.charCodeAt(keyEnd) !== EQUALS)
        return this.malformed(index, lineStart, lineEnd, 'field must be key=value');
      // `value`, the field of one-value sensors, without a string made for it.
      const field = this.spells(position, keyEnd, 'value') ? 'value' : this.token(position, keyEnd);
      const valueStart = keyEnd + 1;
      let valueEnd: number;
      const code = text.charCodeAt(valueStart);
      if (code === QUOTE) {
        valueEnd = valueStart + 1;
        while (valueEnd < fieldsEnd && text.charCodeAt(valueEnd) !== QUOTE)
          valueEnd += text.charCodeAt(valueEnd) === BACKSLASH ? 2 : 1;
        valueEnd++;
      } else {
        valueEnd = valueStart;
        while (valueEnd < fieldsEnd && text.charCodeAt(valueEnd) !== COMMA) valueEnd++;
        const sensor =
          prefix === undefined
            ? `${series}.${idPart(field)}${suffix}`
            : field === 'value'
              ? prefix
              : `${prefix}.${idPart(field)}`;
        if (this.numeric(index, sensor, field, valueStart, valueEnd)) numericFields++;
      }
      if (position === fieldsStart) {
        firstField = field;
        firstValueStart = valueStart;
        firstValueEnd = Math.min(valueEnd, fieldsEnd);
      }
      if (valueEnd < fieldsEnd && text.charCodeAt(valueEnd) !== COMMA)
        return this.malformed(index, lineStart, lineEnd, 'fields must be separated by commas');
      position = valueEnd + 1;
    }
    if (numericFields === 0) {
      this.collector.reject(
        index,
        firstField,
        text.slice(firstValueStart, firstValueEnd),
        'not-a-number',
        'line has only string or boolean fields; only numeric fields are stored',
      );
    }
    return true;
  }

  /**
   * Reads one unquoted field value (the reading's timestamp is in `numbers[TIMESTAMP]`); returns
   * false when it is a boolean (skipped), true otherwise.
   */
  private numeric(index: number, sensor: string, field: string, start: number, end: number): boolean {
    if (start === end) {
      this.collector.reject(index, field, '', 'missing', 'field value is empty', sensor);
      return true;
    }
    const text = this.text;
    const last = text.charCodeAt(end - 1);
    const numbers = this.numbers;
    if (last === 105 || last === 117) {
      // 105 'i' integer, 117 'u' unsigned
      const signed = last === 105;
      if (!isIntegerText(text, start, end - 1, signed)) {
        this.collector.reject(
          index,
          field,
          text.slice(start, end),
          'not-a-number',
          signed
            ? 'integer field must be digits followed by i, from -2^63 to 2^63-1'
            : 'unsigned field must be digits followed by u, from 0 to 2^64-1',
          sensor,
        );
        return true;
      }
      numbers[VALUE] = Number(text.slice(start, end - 1));
    } else if (plainDecimalInto(text, start, end, numbers, VALUE)) {
      // A plain decimal (most values) is float text: read in one pass.
    } else if (isFloatText(text, start, end)) {
      numbers[VALUE] = Number(text.slice(start, end));
    } else {
      const raw = text.slice(start, end);
      if (isBoolean(raw)) return false;
      this.collector.reject(
        index,
        field,
        raw,
        raw === 'NaN' ? 'not-finite' : 'not-a-number',
        'field value must be a decimal number (digits, optional point and exponent)',
        sensor,
      );
      return true;
    }
    if (this.collector.checkSensor(index, sensor))
      this.collector.acceptNumbers(index, sensor, numbers, TIMESTAMP, field, 'timestamp');
    return true;
  }

  /** The id prefix from the first `sensor` tag, if the line has one. */
  private sensorPrefix(): string | undefined {
    const tags = this.tags;
    for (let at = 0; at < 3 * this.tagCount; at += 3) {
      const keyEnd = tags[at + 1] as number;
      if (this.spells(tags[at] as number, keyEnd, 'sensor'))
        return this.token(keyEnd + 1, tags[at + 2] as number);
    }
    return undefined;
  }

  /** `,key=value` for every tag, in key order. */
  private seriesTags(): string {
    const pairs: [string, string][] = [];
    const tags = this.tags;
    for (let at = 0; at < 3 * this.tagCount; at += 3) {
      const keyEnd = tags[at + 1] as number;
      pairs.push([this.token(tags[at] as number, keyEnd), this.token(keyEnd + 1, tags[at + 2] as number)]);
    }
    if (pairs.length > 1) pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    let suffix = '';
    for (const [key, value] of pairs) suffix += `,${key}=${value}`;
    return suffix;
  }
}

const BOOLEANS = new Set(['t', 'T', 'true', 'True', 'TRUE', 'f', 'F', 'false', 'False', 'FALSE']);

function isBoolean(raw: string): boolean {
  return BOOLEANS.has(raw);
}
