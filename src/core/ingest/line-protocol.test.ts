import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseLineProtocol, parsePrecision, type Precision } from './line-protocol.ts';
import type { ParsedBatch, Reading } from '../readings/reading.ts';

const now = Date.UTC(2026, 10, 28, 12);

function parse(text: string, precision: Precision = 'ms'): ParsedBatch {
  const outcome = parseLineProtocol(text, precision, now);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
  return outcome.batch;
}

test('reads a Telegraf line: every numeric field is a reading named after measurement, field and tags', () => {
  const line = 'cpu,host=web1,cpu=cpu0 usage_idle=98.5,usage_user=1i,up=t,label="x y" 1764331200000000000';
  assert.deepEqual(parse(line, 'ns').readings, [
    { sensor: 'cpu.usage_idle,cpu=cpu0,host=web1', ts: 1764331200000, value: 98.5 },
    { sensor: 'cpu.usage_user,cpu=cpu0,host=web1', ts: 1764331200000, value: 1 },
  ]);
});

test('a sensor tag names the reading: <sensor> for field value, <sensor>.<field> otherwise', () => {
  assert.deepEqual(parse('pump,sensor=p-7,site=north value=3.5,rpm=1200u 1000').readings, [
    { sensor: 'p-7', ts: 1000, value: 3.5 },
    { sensor: 'p-7.rpm', ts: 1000, value: 1200 },
  ]);
});

test('converts every precision to milliseconds and defaults a missing timestamp to now', () => {
  const cases: [Precision, string, number][] = [
    ['ns', '1700000000123456789', 1700000000123],
    ['us', '1700000000123456', 1700000000123],
    ['ms', '1700000000123', 1700000000123],
    ['s', '1700000000', 1700000000000],
    ['m', '28333333', 28333333 * 60_000],
    ['h', '472222', 472222 * 3_600_000],
  ];
  for (const [precision, raw, millis] of cases) {
    assert.equal(parse(`m,sensor=a value=1 ${raw}`, precision).readings[0]?.ts, millis, precision);
  }
  assert.equal(parse('m,sensor=a value=1').readings[0]?.ts, now);
  assert.equal(parsePrecision(undefined), 'ns');
  assert.equal(parsePrecision('u'), 'us');
  assert.equal(parsePrecision('fortnight'), undefined);
});

test('handles escapes, comments, blank lines and CRLF', () => {
  const text = '# comment\r\n\r\nroom\\ temp,sensor=a\\,b\\ c\\=d value=1 5\r\n  m,sensor=x f\\=1=2 6\n';
  assert.deepEqual(parse(text).readings, [
    { sensor: 'a,b c=d', ts: 5, value: 1 },
    { sensor: 'x.f=1', ts: 6, value: 2 },
  ]);
});

const rules: [string, string, string, string][] = [
  ['a non-numeric field value', 'm,sensor=a value=abc 1', 'value', 'not-a-number'],
  ['a NaN field value', 'm,sensor=a value=NaN 1', 'value', 'not-finite'],
  ['an infinite field value', 'm,sensor=a value=1e999 1', 'value', 'not-finite'],
  ['a bad integer', 'm,sensor=a value=1.5i 1', 'value', 'not-a-number'],
  ['an unparseable timestamp', 'm,sensor=a value=1 12:00', 'timestamp', 'bad-timestamp'],
  ['a timestamp before 1970', 'm,sensor=a value=1 -5', 'timestamp', 'bad-timestamp'],
  ['a future timestamp', `m,sensor=a value=1 ${now + 3 * 86_400_000}`, 'timestamp', 'future-timestamp'],
  ['a line without fields', 'm,sensor=a', '', 'malformed'],
  ['a tag without a value', 'm,sensor value=1', '', 'malformed'],
  ['an unterminated string field', 'm,sensor=a note="open value=1', '', 'malformed'],
  // Regression: Number() read these, InfluxDB refuses them.
  ['a hexadecimal value', 'm,sensor=a value=0x10 1', 'value', 'not-a-number'],
  ['a binary value', 'm,sensor=a value=0b11 1', 'value', 'not-a-number'],
  ['an octal value', 'm,sensor=a value=0o7 1', 'value', 'not-a-number'],
  ['a value with a plus sign', 'm,sensor=a value=+1 1', 'value', 'not-a-number'],
  ['an Infinity value', 'm,sensor=a value=Infinity 1', 'value', 'not-a-number'],
  ['a value with a bare exponent', 'm,sensor=a value=1e 1', 'value', 'not-a-number'],
  ['a negative unsigned value', 'm,sensor=a neg=-3u 1', 'neg', 'not-a-number'],
  ['an integer past 2^63-1', 'm,sensor=a value=9223372036854775808i 1', 'value', 'not-a-number'],
  ['an unsigned past 2^64-1', 'm,sensor=a value=18446744073709551616u 1', 'value', 'not-a-number'],
  ['a line with only string and boolean fields', 'm,sensor=a s="str",on=true 1', 's', 'not-a-number'],
  ['a sensor tag the registry forbids', 'm,sensor=a/b value=1 1', 'sensor', 'bad-sensor-id'],
];

for (const [what, line, field, rule] of rules) {
  test(`rejects ${what} and keeps the other lines`, () => {
    const parsed = parse(`m,sensor=good value=1 1\n${line}\nm,sensor=good value=2 2`);
    assert.deepEqual(
      parsed.readings.map((reading) => reading.value),
      [1, 2],
    );
    assert.equal(parsed.rejected.length, 1);
    assert.equal(parsed.rejected[0]?.index, 1);
    assert.equal(parsed.rejected[0]?.field, field);
    assert.equal(parsed.rejected[0]?.rule, rule);
  });
}

test('a time before 1970 by less than a millisecond is refused, not stored at 0', () => {
  // Regression: -5 in nanoseconds kept no digit, read as -0 and was stored at 1970-01-01.
  for (const [precision, time] of [
    ['ns', '-5'],
    ['us', '-999'],
    ['ns', '-000001'],
  ] as const) {
    const parsed = parse(`m,sensor=a value=1 ${time}\nm,sensor=a value=2 0`, precision);
    assert.deepEqual(
      parsed.readings.map((reading) => [reading.ts, reading.value]),
      [[0, 2]],
    );
    assert.deepEqual(
      parsed.rejected.map((r) => [r.index, r.field, r.rule]),
      [[0, 'timestamp', 'bad-timestamp']],
    );
  }
});

test('reads every number syntax InfluxDB accepts', () => {
  const values = [
    '1.',
    '.5',
    '-.5',
    '-1.5e-3',
    '1E+5',
    '007',
    '-9223372036854775808i',
    '18446744073709551615u',
    '0u',
  ];
  const text = values.map((value, i) => `m,sensor=s${i} value=${value} 1`).join('\n');
  // The largest 64-bit integers are read as the nearest double.
  assert.deepEqual(
    parse(text).readings.map((reading) => reading.value),
    [1, 0.5, -0.5, -0.0015, 100000, 7, -(2 ** 63), 2 ** 64, 0],
  );
});

test('a line with only string or boolean fields is refused with its first field; mixed lines keep the numbers', () => {
  // Regression: `wx,sensor=w7 s="str"` stored nothing yet the request got 204.
  const parsed = parse('wx,sensor=w7 s="str"\nwx,sensor=w8 value=true\nwx,sensor=w9 up=t,value=2,note="x" 5');
  assert.deepEqual(parsed.readings, [{ sensor: 'w9', ts: 5, value: 2 }]);
  assert.deepEqual(
    parsed.rejected.map((r) => [r.index, r.field, r.value, r.rule]),
    [
      [0, 's', '"str"', 'not-a-number'],
      [1, 'value', 'true', 'not-a-number'],
    ],
  );
});

test("names built from measurement, fields and tags write '/', '+' and '#' percent-encoded", () => {
  // Telegraf's disk input tags `path=/`; ids may not hold '/', '+' or '#' (MQTT topic syntax).
  const parsed = parse('disk,path=/var/lib,device=sda+1 used/total=5,c#=1 7\nm,sensor=p-7 rate/s=2 8');
  assert.deepEqual(parsed.rejected, []);
  assert.deepEqual(
    parsed.readings.map((reading) => reading.sensor),
    [
      'disk.used%2Ftotal,device=sda%2B1,path=%2Fvar%2Flib',
      'disk.c%23,device=sda%2B1,path=%2Fvar%2Flib',
      'p-7.rate%2Fs',
    ],
  );
});

test('a body none of whose lines can be read is malformed', () => {
  const outcome = parseLineProtocol('this is not line protocol\nnor this', 'ns', now);
  assert.equal(outcome.ok, false);
  assert.ok(parseLineProtocol('', 'ns', now).ok);
});

const escapeKey = (text: string) => text.replace(/[,= \\]/g, (c) => `\\${c}`);
const escapeMeasurement = (text: string) => text.replace(/[, \\]/g, (c) => `\\${c}`);

test('round-trips generated lines with escaped names, tags, precisions and numeric fields', () => {
  const name = fc
    .stringMatching(/^[a-zA-Z0-9_ ,=.-]{1,10}$/)
    .filter((text) => !text.startsWith(' ') && !text.startsWith('#'));
  const tag = fc.tuple(
    name.filter((key) => key !== 'sensor'),
    name,
  );
  const field = fc.tuple(
    name,
    fc.oneof(
      fc
        .double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 })
        .map((value) => ({ value: Number(String(value)), text: String(value) })),
      fc.integer({ min: -1e9, max: 1e9 }).map((value) => ({ value, text: `${value}i` })),
    ),
  );
  const line = fc.record({
    measurement: name,
    tags: fc.uniqueArray(tag, { selector: (pair) => pair[0], maxLength: 3 }),
    fields: fc.uniqueArray(field, { selector: (pair) => pair[0], minLength: 1, maxLength: 3 }),
    seconds: fc.integer({ min: 0, max: Math.floor(now / 1000) }),
  });
  const precision = fc.constantFrom<Precision>('ns', 'us', 'ms', 's');
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 10 }), precision, (lines, unit) => {
      const digits = { ns: '000000000', us: '000000', ms: '000', s: '', m: '', h: '' }[unit];
      const text = lines
        .map((item) => {
          const tags = item.tags.map(([key, value]) => `,${escapeKey(key)}=${escapeKey(value)}`).join('');
          const fields = item.fields.map(([key, value]) => `${escapeKey(key)}=${value.text}`).join(',');
          return `${escapeMeasurement(item.measurement)}${tags} ${fields} ${item.seconds}${digits}`;
        })
        .join('\n');
      const expected: Reading[] = lines.flatMap((item) => {
        const suffix = [...item.tags]
          .sort((a, b) => (a[0] < b[0] ? -1 : 1))
          .map(([key, value]) => `,${key}=${value}`)
          .join('');
        return item.fields.map(([key, value]) => ({
          sensor: `${item.measurement}.${key}${suffix}`,
          ts: item.seconds * 1000,
          value: value.value,
        }));
      });
      const parsed = parse(text, unit);
      assert.deepEqual(parsed.rejected, []);
      assert.deepEqual(parsed.readings, expected);
    }),
  );
});

test('a body in pieces split after newlines parses as the whole text: same readings, rejections and line numbers', () => {
  const good = fc
    .tuple(fc.constantFrom('a', 'b', 'pump-1'), fc.integer({ min: -99, max: 99 }), fc.nat(1000))
    .map(([sensor, value, ms]) => `m,sensor=${sensor} value=${value} ${now - ms}`);
  const bad = fc.constantFrom(
    '',
    '# comment',
    'm value=high',
    'not line protocol',
    'm,sensor=x value=1 9e99',
    '  ',
  );
  fc.assert(
    fc.property(
      fc.array(fc.oneof(good, bad), { minLength: 1, maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.boolean(),
      (lines, cuts, crlf) => {
        const ends = lines.map((line, index) =>
          index < lines.length - 1 ? `${line}${crlf ? '\r\n' : '\n'}` : line,
        );
        const at = [...new Set(cuts.map((cut) => cut % lines.length))].sort((a, b) => a - b);
        const pieces: string[] = [];
        let start = 0;
        for (const cut of [...at, lines.length]) {
          pieces.push(ends.slice(start, cut).join(''));
          start = cut;
        }
        assert.deepEqual(parseLineProtocol(pieces, 'ms', now), parseLineProtocol(ends.join(''), 'ms', now));
      },
    ),
  );
});

test("one sensor's line, read in one pass, gives what the same line read the general way gives", () => {
  // A second tag before the `sensor` tag sends a line the general way and names no reading differently.
  const text = (units: string[]) =>
    fc.array(fc.constantFrom(...units), { maxLength: 7 }).map((u) => u.join(''));
  const line = fc.record({
    measurement: fc.constantFrom('m', 'cpu', 'a=b', ''),
    sensor: text(['s', '7', '-', '.', '/', '#', '=', '\\', ' ', ',', '"', '\t']),
    value: fc.oneof(
      fc.double({ noNaN: true }).map(String),
      text(['1', '0', '-', '.', 'e', 'i', '+', '"']),
      fc.constantFrom('23.4', '-0', '0.1', '1234567890123456', '.5', '5.'),
    ),
    timestamp: fc.oneof(
      fc.constant(''),
      fc.nat().map((ms) => ` ${now - ms}`),
      text(['1', '7', '-', ' ', 'e', 'x']).map((t) => ` ${t}`),
    ),
  });
  const asGeneral = (lines: string[]) =>
    lines.map((l) => l.replace(/^([^,]*),sensor=/, '$1,aa=1,sensor=')).join('\n');
  const outcome = (body: string, precision: Precision) => {
    const parsed = parseLineProtocol(body, precision, now);
    if (!parsed.ok) return parsed.reason;
    return {
      readings: parsed.batch.readings,
      // A malformed line echoes its text, which the added tag changes: compared without it.
      rejected: parsed.batch.rejected.map(({ index, field, rule }) => ({ index, field, rule })),
    };
  };
  fc.assert(
    fc.property(
      fc.array(line, { minLength: 1, maxLength: 8 }),
      fc.constantFrom<Precision>('ms', 'ns', 's'),
      (lines, precision) => {
        const texts = lines.map((l) => `${l.measurement},sensor=${l.sensor} value=${l.value}${l.timestamp}`);
        assert.deepEqual(outcome(texts.join('\n'), precision), outcome(asGeneral(texts), precision));
      },
    ),
    { numRuns: 2000 },
  );
});
