import type { ParsedBatch, Reading, Rejection, RejectionRule } from '../readings/reading.ts';

/** Limits applied to every reading at the edge. */
export interface ValidationOptions {
  /** How far ahead of the receive time a timestamp may be (default one day). */
  maxFutureMillis: number;
  /** Longest sensor id accepted, in UTF-16 code units. */
  maxSensorIdLength: number;
}

export const defaultValidationOptions: ValidationOptions = {
  maxFutureMillis: 86_400_000,
  maxSensorIdLength: 256,
};

/** A parse either yields a batch (possibly with rejected items) or finds the whole body malformed. */
export type ParseOutcome =
  { ok: true; batch: ParsedBatch } | { ok: false; reason: 'malformed'; message: string };

/** Whether a string holds a control character (U+0000..U+001F, U+007F). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 32 || code === 127) return true;
  }
  return false;
}

/** Collects accepted readings and rejections while a parser walks a body. */
export class BatchCollector {
  readonly readings: Reading[] = [];
  readonly rejected: Rejection[] = [];
  /** Item index of each accepted reading. */
  readonly items: number[] = [];
  private readonly latestMillis: number;

  constructor(
    nowMillis: number,
    private readonly options: ValidationOptions,
  ) {
    this.latestMillis = nowMillis + options.maxFutureMillis;
  }

  reject(
    index: number,
    field: string,
    value: unknown,
    rule: RejectionRule,
    message: string,
    sensor?: string,
  ): void {
    const rejection: Rejection = { index, field, value, rule, message };
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

  /** Checks a sensor id; records a rejection and returns false when it is not acceptable. */
  checkSensor(index: number, sensor: string): boolean {
    if (
      sensor.length > 0 &&
      sensor.length <= this.options.maxSensorIdLength &&
      !hasControlCharacter(sensor)
    ) {
      return true;
    }
    const limit = this.options.maxSensorIdLength;
    this.reject(
      index,
      'sensor',
      sensor,
      'bad-sensor-id',
      `sensor id must be 1 to ${limit} characters without control characters`,
    );
    return false;
  }

  /**
   * Checks a number value and an epoch-millisecond timestamp, then accepts the reading.
   * Fractional milliseconds are truncated.
   */
  accept(
    index: number,
    sensor: string,
    ts: number,
    value: number,
    valueField = 'value',
    tsField = 'ts',
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
    } else if (ts > this.latestMillis) {
      const hours = this.options.maxFutureMillis / 3_600_000;
      this.reject(
        index,
        tsField,
        ts,
        'future-timestamp',
        `timestamp is more than ${hours} h in the future`,
        sensor,
      );
    } else {
      this.readings.push({ sensor, ts: Math.trunc(ts), value });
      this.items.push(index);
    }
  }

  result(): ParseOutcome {
    return { ok: true, batch: { readings: this.readings, rejected: this.rejected, items: this.items } };
  }
}

/** Checks option bounds, filling defaults. */
export function resolveValidationOptions(options: Partial<ValidationOptions> = {}): ValidationOptions {
  const resolved = { ...defaultValidationOptions, ...options };
  if (!(resolved.maxFutureMillis >= 0)) throw new RangeError('maxFutureMillis must be >= 0');
  if (!(resolved.maxSensorIdLength >= 1)) throw new RangeError('maxSensorIdLength must be >= 1');
  return resolved;
}

/**
 * Parses a body as JSON, then validates it with `validate`; a body that is not JSON is malformed.
 * Shared by the JSON-batch and SenML parsers.
 */
export function parseJsonThen(text: string, validate: (body: unknown) => ParseOutcome): ParseOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'malformed', message: `body is not valid JSON: ${(error as Error).message}` };
  }
  return validate(body);
}
