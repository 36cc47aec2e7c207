import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { splitRecords as split } from '../../src/core/csv.ts';
import { decodeText, decodeLatin1 } from '../../src/core/triage/text.ts';

/** The records of a text that must be valid CSV. */
function splitRecords(source: string, delimiter: string): { line: number; fields: string[] }[] {
  const result = split(source, delimiter);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.records;
}
import { parseKtasText } from '../../src/core/triage/ktas-file.ts';
import type { RowResult } from '../../src/core/triage/ktas-file.ts';
import { readNumber, plausible } from '../../src/core/triage/fields.ts';

const dataUrl = new URL('../../../shared/data/ktas/train.csv', import.meta.url);
const bytes = readFileSync(dataUrl);
const text = decodeText(bytes);
const header =
  'Group;Sex;Age;Patients number per hour;Arrival mode;Injury;Chief_complain;Mental;Pain;NRS_pain;SBP;DBP;HR;RR;BT;Saturation;KTAS_RN;Diagnosis in ED;Disposition;KTAS_expert;Error_group;Length of stay_min;KTAS duration_min;mistriage';

function parsedRows(source: string): RowResult[] {
  const parsed = parseKtasText(source);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return parsed.rows;
}

const realRows = parsedRows(text);
const rawRecords = splitRecords(text, ';').slice(1);
const column = (name: string): number => header.split(';').indexOf(name);

void test('the real file is Latin-1 with CRLF: decoded byte for byte, no replacement characters', () => {
  assert.ok(bytes.includes(0xde), 'the file holds the Latin-1 byte 0xDE (Þ)');
  assert.ok(bytes.includes(0x0d), 'the file has CR line ends');
  assert.ok(text.includes('#BOÞ!'));
  assert.ok(!text.includes('\uFFFD'));
  assert.equal(decodeLatin1(Uint8Array.from([0x23, 0x42, 0x4f, 0xde, 0x21])), '#BOÞ!');
});

void test('every one of the 887 data rows is read, none crashes, all are usable', () => {
  assert.equal(realRows.length, 887);
  assert.equal(realRows.filter((row) => !row.ok).length, 0);
  assert.deepEqual(
    realRows.map((row) => row.row),
    [...Array(887).keys()],
  );
});

void test('#BOÞ! in NRS_pain means no score: 0 when the patient reports no pain, not recorded (with a warning) when in pain', () => {
  const nrs = column('NRS_pain');
  const pain = column('Pain');
  let noPain = 0;
  let inPain = 0;
  realRows.forEach((row, index) => {
    const fields = rawRecords[index]?.fields ?? [];
    if (fields[nrs] !== '#BOÞ!' || !row.ok) return;
    if (fields[pain] === '0') {
      noPain++;
      assert.equal(row.presentation.painScore, 0);
    } else {
      inPain++;
      assert.equal(row.presentation.painScore, null);
      assert.ok(
        row.warnings.some(
          (w) => w.field === 'NRS_pain' && w.value === '#BOÞ!' && w.rule.includes('spreadsheet error'),
        ),
      );
    }
  });
  assert.equal(noPain, 388);
  assert.equal(inPain, 3);
});

void test('?? in a vital sign is an unknown marker: the vital is null and a warning names field, value and rule', () => {
  const rr = column('RR');
  const marked = realRows.filter((_, index) => rawRecords[index]?.fields[rr] === '??');
  assert.equal(marked.length, 15);
  for (const row of marked) {
    assert.ok(row.ok);
    assert.equal(row.presentation.respiratoryRatePerMinute, null);
    assert.ok(
      row.warnings.some((w) => w.field === 'RR' && w.value === '??' && w.rule.includes('unknown marker')),
    );
  }
});

void test('a blank SpO2 is not measured, with a warning', () => {
  const blank = realRows.filter((_, index) => rawRecords[index]?.fields[column('Saturation')] === '');
  assert.equal(blank.length, 488);
  for (const row of blank) {
    assert.ok(row.ok);
    assert.equal(row.presentation.oxygenSaturationPercent, null);
    assert.ok(row.warnings.some((w) => w.field === 'Saturation' && w.rule.includes('blank')));
  }
});

void test('the implausible SpO2 of 20% in the real file is dropped with a warning, plausible low values are kept', () => {
  const index = rawRecords.findIndex((record) => record.fields[column('Saturation')] === '20');
  const row = realRows[index];
  assert.ok(row?.ok);
  assert.equal(row.presentation.oxygenSaturationPercent, null);
  assert.ok(row.warnings.some((w) => w.value === '20' && w.rule.includes('implausible')));
  const low = realRows[rawRecords.findIndex((record) => record.fields[column('Saturation')] === '74')];
  assert.ok(low?.ok);
  assert.equal(low.presentation.oxygenSaturationPercent, 74);
});

void test('a decimal comma is read as a decimal point', () => {
  assert.deepEqual(readNumber('36,5', plausible.temperatureCelsius), { kind: 'value', value: 36.5 });
  const rows = parsedRows(
    `${header}\r\n1;2;40;5;3;1;fever;1;0;#BOÞ!;120;80;90;20;38,4;97;3;x;1;3;0 ;100;2,5;0 \r\n`,
  );
  assert.ok(rows[0]?.ok);
  assert.equal(rows[0].presentation.temperatureCelsius, 38.4);
});

void test('a diastolic pressure not below the systolic drops both, with a warning', () => {
  const rows = parsedRows(`${header}\n1;2;40;5;3;1;fever;1;0;;80;120;90;20;36;97;3;x;1;3;0;100;2;0\n`);
  assert.ok(rows[0]?.ok);
  assert.equal(rows[0].presentation.systolicMmHg, null);
  assert.equal(rows[0].presentation.diastolicMmHg, null);
  assert.ok(rows[0].warnings.some((w) => w.field === 'SBP/DBP'));
});

void test('a row that cannot be used gets errors naming field, value and rule, and the rows after it are still read', () => {
  const rows = parsedRows(
    [
      header,
      '1;3;abc;5;9;1;fever;1;0;;120;80;90;20;36;97;3;x;1;3;0;100;2;0',
      '1;2;40;5',
      '1;2;40;5;3;1;fever;1;0;;120;80;90;20;36;97;3;x;1;3;0;100;2;0',
    ].join('\r\n'),
  );
  const [bad, short, good] = rows;
  assert.ok(bad !== undefined && !bad.ok);
  assert.deepEqual(
    bad.errors.map((e) => e.field),
    ['Sex', 'Arrival mode', 'Age'],
  );
  assert.equal(bad.errors[0]?.value, '3');
  assert.match(bad.errors[2]?.rule ?? '', /not a number/);
  assert.ok(short !== undefined && !short.ok);
  assert.match(short.errors[0]?.rule ?? '', /4 fields, the header has 24/);
  assert.ok(good?.ok);
});

void test('a code that names what every object has (constructor, __proto__, toString) is a bad code, not a known one', () => {
  // Regression: the codes were looked up in plain objects, so these read as known and the row got a level.
  const good = '1;2;40;5;3;1;fever;1;0;;120;80;90;20;36;97;3;x;1;3;0;100;2;0'.split(';');
  const withCode = (name: string, code: string): string =>
    good.map((value, index) => (index === column(name) ? code : value)).join(';');
  const cases: [string, string][] = [
    ['Sex', 'hasOwnProperty'],
    ['Arrival mode', '__proto__'],
    ['Injury', 'valueOf'],
    ['Mental', 'constructor'],
    ['Pain', 'toString'],
  ];
  const rows = parsedRows([header, ...cases.map(([name, code]) => withCode(name, code))].join('\r\n'));
  rows.forEach((row, index) => {
    const [name, code] = cases[index] as [string, string];
    assert.ok(!row.ok, `${name}=${code} must make the row unusable`);
    assert.deepEqual(
      row.errors.map((e) => [e.field, e.value]),
      [[name, code]],
    );
  });
  const [group] = parsedRows(`${header}\r\n${withCode('Group', 'constructor')}`);
  assert.ok(group?.ok);
  assert.equal(group.presentation.department, undefined);
  assert.deepEqual(
    group.warnings.map((w) => [w.field, w.value]),
    [['Group', 'constructor']],
  );
});

void test('columns are found by name, in any order, and nurse/expert/outcome columns may be absent', () => {
  const rows = parsedRows(
    'Saturation,HR,Age,Sex,Arrival mode,Injury,Chief_complain,Mental,Pain,NRS_pain,SBP,DBP,RR,BT\n95,110,70,1,2,1,"dyspnea, acute",2,0,,100,60,24,37\n',
  );
  assert.ok(rows[0]?.ok);
  assert.equal(rows[0].presentation.heartRatePerMinute, 110);
  assert.equal(rows[0].presentation.chiefComplaint, 'dyspnea, acute');
  assert.equal(rows[0].presentation.mental, 'verbal');
  assert.deepEqual(rows[0].labels, { nurseLevel: null, expertLevel: null });
  assert.equal(rows[0].presentation.department, undefined, 'no Group column: department unknown');
});

void test('Group 1/2 is the local/regional department; another code is a warning and leaves it unknown', () => {
  const header =
    'Group;Sex;Age;Arrival mode;Injury;Chief_complain;Mental;Pain;NRS_pain;SBP;DBP;HR;RR;BT;Saturation';
  const rows = parsedRows(
    `${header}\n1;1;40;1;1;cough;1;0;;120;80;80;18;36,5;98\n2;1;40;1;1;cough;1;0;;120;80;80;18;36,5;98\n9;1;40;1;1;cough;1;0;;120;80;80;18;36,5;98\n`,
  );
  assert.ok(rows[0]?.ok && rows[1]?.ok && rows[2]?.ok);
  assert.equal(rows[0].presentation.department, 'local');
  assert.equal(rows[1].presentation.department, 'regional');
  assert.equal(rows[2].presentation.department, undefined);
  assert.deepEqual(
    rows[2].warnings.map((w) => [w.field, w.value]),
    [['Group', '9']],
  );
});

void test('a file without a required column is rejected with the column named', () => {
  const parsed = parseKtasText('Sex;Age\n1;40\n');
  assert.ok(!parsed.ok);
  assert.match(parsed.reason, /arrivalmode/);
});

void test('LF, CR and CRLF line ends and a trailing blank line give the same records', () => {
  const lines = ['a;b', '1;2', '3;4'];
  const expected = splitRecords(lines.join('\n'), ';').map((r) => r.fields);
  assert.deepEqual(
    splitRecords(`${lines.join('\r\n')}\r\n\r\n`, ';').map((r) => r.fields),
    expected,
  );
  assert.deepEqual(
    splitRecords(lines.join('\r'), ';').map((r) => r.fields),
    expected,
  );
});

void test('numbers: blank, ?? and spreadsheet errors are missing; text is invalid; out of range is implausible', () => {
  const range = plausible.heartRatePerMinute;
  assert.deepEqual(readNumber('  ', range), { kind: 'missing', why: 'blank' });
  assert.deepEqual(readNumber('??', range), { kind: 'missing', why: 'unknown marker' });
  assert.deepEqual(readNumber('#N/A', range), { kind: 'missing', why: 'spreadsheet error' });
  assert.equal(readNumber('1x0', range).kind, 'invalid');
  assert.equal(readNumber('999', range).kind, 'implausible');
  assert.deepEqual(readNumber('88', range), { kind: 'value', value: 88 });
});

void test('a quoted field never closed is one file-level error naming its line, not a silently merged row', () => {
  const parsed = parseKtasText('Sex;Age;Arrival mode\n1;40;"3\n2;50;1\n');
  assert.ok(!parsed.ok);
  assert.equal(parsed.reason, 'line 2: a quoted field is not closed');
});

const smallHeader =
  'Sex;Age;Arrival mode;Injury;Chief_complain;Mental;Pain;NRS_pain;SBP;DBP;HR;RR;BT;Saturation';

void test('blank lines before the header do not hide it: the delimiter is read from the header line', () => {
  // Regression: the delimiter came from the first (blank) line, so every column was reported missing.
  const rows = parsedRows(`\r\n  \r\n${smallHeader}\r\n1;56;3;2;burn;1;1;2;137;75;60;20;36,5;97\r\n`);
  assert.equal(rows.length, 1);
  assert.ok(rows[0]?.ok);
});

void test('a header naming a column twice (also through an alias: Saturation and SpO2) is a file error', () => {
  // Regression: the first of the two was used and the other silently ignored.
  const parsed = parseKtasText(`${smallHeader};SpO2\n1;56;3;2;burn;1;1;2;137;75;60;20;36,5;;97\n`);
  assert.deepEqual(parsed, {
    ok: false,
    reason: "header names saturation more than once: 'Saturation' (column 14), 'SpO2' (column 15)",
  });
  const twice = parseKtasText(`${smallHeader};age\n1;56;3;2;burn;1;1;2;137;75;60;20;36,5;;57\n`);
  assert.ok(!twice.ok && twice.reason.startsWith("header names age more than once: 'Age' (column 2), 'age'"));
});

void test('a pain score above 0 with Pain 0 is dropped with a warning naming both fields, as the API refuses it', () => {
  // Regression: the file reader used the score of a patient recorded without pain; the HTTP API
  // refuses the same presentation (pain false, painScore 5).
  const [row] = parsedRows(`${smallHeader}\n1;56;3;2;burn;1;0;5;137;75;60;20;36,5;97\n`);
  assert.ok(row?.ok);
  assert.equal(row.presentation.painScore, null);
  assert.deepEqual(row.warnings, [
    {
      field: 'Pain/NRS_pain',
      value: '0/5',
      rule: 'implausible: a pain score above 0 with no pain; the score treated as not recorded',
    },
  ]);
  const [none] = parsedRows(`${smallHeader}\n1;56;3;2;burn;1;0;0;137;75;60;20;36,5;97\n`);
  assert.ok(none?.ok && none.presentation.painScore === 0 && none.warnings.length === 0);
});

void test('a pain score that is not a whole number is dropped with a warning, as the API refuses it', () => {
  // Regression: NRS 7,5 was read as 7.5; the HTTP API refuses a painScore of 7.5.
  const [row] = parsedRows(`${smallHeader}\n1;56;3;2;burn;1;1;7,5;137;75;60;20;36,5;97\n`);
  assert.ok(row?.ok);
  assert.equal(row.presentation.painScore, null);
  assert.deepEqual(row.warnings, [
    {
      field: 'NRS_pain',
      value: '7,5',
      rule: 'not a whole number (NRS is 0–10 in whole steps); treated as not recorded',
    },
  ]);
  const [whole] = parsedRows(`${smallHeader}\n1;56;3;2;burn;1;1;7;137;75;60;20;36,5;97\n`);
  assert.ok(whole?.ok && whole.presentation.painScore === 7 && whole.warnings.length === 0);
});
