import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCadence } from '../../core/traffic/controller.ts';
import { detectionZoneMetres } from './drive.ts';

// Regression: SUMO runs observed every controller with the cadence's 100 m zone, ignoring the
// 60-80 m a controller asked for (the CityFlow-faithful engine honoured it).
void test("observations use the controller's own detection zone when it names one", () => {
  assert.equal(detectionZoneMetres({ detectionMetres: 60 }, defaultCadence), 60);
});

void test("observations fall back to the cadence's zone for a controller without one, and without a controller", () => {
  assert.equal(detectionZoneMetres({}, { ...defaultCadence, approachMetres: 120 }), 120);
  assert.equal(detectionZoneMetres(undefined, defaultCadence), defaultCadence.approachMetres);
});
