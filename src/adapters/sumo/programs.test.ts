import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptiveProgramsXml, allGreenProgramsXml, referenceBounds } from './programs.ts';

const net = `<net>
    <tlLogic id="j1" type="static" programID="0" offset="0">
        <phase duration="30" state="GGrr"/>
        <phase duration="5"  state="ssrr"/>
        <phase duration="30" state="GrGG"/>
    </tlLogic>
</net>`;

void test('bounds green phases with minDur/maxDur and keeps yellows fixed in the adaptive program', () => {
  const xml = adaptiveProgramsXml(net, 'actuated', referenceBounds);
  assert.match(xml, /<tlLogic id="j1" type="actuated" programID="actuated" offset="0">/);
  assert.match(xml, /<phase duration="30" minDur="5" maxDur="60" state="GGrr"\/>/);
  assert.match(xml, /<phase duration="5" state="ssrr"\/>/);
  assert.equal(xml.match(/<phase /g)?.length, 3);
});

void test('rejects a tlLogic phase without a state', () => {
  assert.throws(
    () =>
      adaptiveProgramsXml('<tlLogic id="j"><phase duration="3"/></tlLogic>', 'delay_based', referenceBounds),
    /tlLogic j has a phase without duration or state/,
  );
});

void test('the all-green program shows one green phase over every link of each tlLogic', () => {
  const xml = allGreenProgramsXml(net, 3600);
  assert.match(xml, /<tlLogic id="j1" type="static" programID="all_green" offset="0">/);
  assert.match(xml, /<phase duration="3600" state="GGGG"\/>/);
  assert.equal(xml.match(/<phase /g)?.length, 1);
});
