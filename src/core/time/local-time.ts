const HOUR_MILLIS = 3_600_000;
/** Offsets are looked up once per quarter hour: every time zone changes its offset on one. */
const BUCKET_MILLIS = 900_000;

/**
 * Wall-clock time of day in one IANA time zone (`Europe/Zurich`), for models that follow a city's
 * daily rhythm (rush hours at 8 and 18 local time, not UTC). The zone's offset is looked up through
 * `Intl` once per quarter hour of UTC and kept, so asking for every reading costs an arithmetic step.
 */
export class LocalTime {
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat;
  /** The last two quarter hours looked up and their offsets: readings around a quarter hour's edge alternate between them. */
  #bucket = Number.NaN;
  #offsetMillis = 0;
  #otherBucket = Number.NaN;
  #otherOffsetMillis = 0;

  /** Throws a RangeError naming the zone when `timeZone` is not one `Intl` knows. */
  constructor(timeZone: string) {
    try {
      this.#format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone '${timeZone}' (an IANA name such as Europe/Zurich)`);
    }
    this.timeZone = timeZone;
  }

  /** The zone's offset from UTC at `millis` (epoch ms), in ms: local = UTC + offset. */
  offsetMillis(millis: number): number {
    const bucket = Math.floor(millis / BUCKET_MILLIS);
    if (bucket === this.#bucket) return this.#offsetMillis;
    const offset =
      bucket === this.#otherBucket ? this.#otherOffsetMillis : this.#lookUp(bucket * BUCKET_MILLIS);
    this.#otherBucket = this.#bucket;
    this.#otherOffsetMillis = this.#offsetMillis;
    this.#bucket = bucket;
    this.#offsetMillis = offset;
    return offset;
  }

  /** Hours since local midnight at `millis`, in [0, 24), with the fraction of the hour. */
  hourOfDay(millis: number): number {
    const hours = (millis + this.offsetMillis(millis)) / HOUR_MILLIS;
    return ((hours % 24) + 24) % 24;
  }

  #lookUp(millis: number): number {
    const fields: Record<string, number> = {};
    for (const part of this.#format.formatToParts(millis))
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
    return Date.UTC(year, month - 1, day, hour, minute, second) - millis;
  }
}
