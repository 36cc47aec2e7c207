import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseTripinfo } from './tripinfo.ts';

void test('averages durations over finished and unfinished trips and counts only arrivals as finished', () => {
  const xml = `<tripinfos>
    <tripinfo id="a" depart="0.00" arrival="100.00" duration="100.00" timeLoss="20.00"/>
    <tripinfo id="b" depart="10.00" arrival="-1.00" duration="290.00" timeLoss="200.00" vaporized="end"/>
  </tripinfos>`;
  assert.deepEqual(summariseTripinfo(xml), {
    trips: 2,
    finished: 1,
    averageTravelSeconds: 195,
    averageTimeLossSeconds: 110,
  });
});

void test('names the attribute when a trip figure is not a number', () => {
  assert.throws(
    () => summariseTripinfo('<tripinfo id="a" arrival="5" duration="soon" timeLoss="1"/>'),
    /duration="soon"/,
  );
});
