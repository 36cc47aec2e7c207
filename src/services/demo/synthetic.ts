import type { DemoSensor } from './city.ts';
import { cityTime, dailyRhythm } from './kinds.ts';
import type { Random } from './random.ts';

/**
 * The synthetic signal of every non-replayed sensor: its kind's daily rhythm, shifted and scaled a
 * little per sensor so that no two look alike, plus Gaussian noise. `simulatedMillis` is city time.
 */
export class SyntheticSignals {
  private readonly bias: Float64Array;
  private readonly shiftHours: Float64Array;
  private readonly sensors: readonly DemoSensor[];
  private readonly random: Random;

  constructor(sensors: readonly DemoSensor[], random: Random) {
    this.sensors = sensors;
    this.random = random;
    this.bias = new Float64Array(sensors.length);
    this.shiftHours = new Float64Array(sensors.length);
    for (let index = 0; index < sensors.length; index += 1) {
      this.bias[index] = random.between(-0.06, 0.06);
      this.shiftHours[index] = random.between(-0.75, 0.75);
    }
  }

  value(index: number, simulatedMillis: number): number {
    const { kind } = this.sensors[index] as DemoSensor;
    const hour = (cityTime.hourOfDay(simulatedMillis) + (this.shiftHours[index] as number) + 24) % 24;
    const level = kind.base * (1 + (this.bias[index] as number)) + kind.amplitude * dailyRhythm(hour);
    const value = level + kind.noise * this.random.normal();
    return Math.round(Math.max(kind.floor, value) * 1000) / 1000;
  }
}
