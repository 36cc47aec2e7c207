import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nab = fileURLToPath(new URL('../../../shared/data/nab/', import.meta.url));

/** NAB's machine temperature series that ends in a catastrophic failure of the machine. */
export const machineFailureFile = 'realKnownCause/machine_temperature_system_failure.csv';

/** NAB's labels are UTC wall times like `2014-01-28 13:55:00`. */
export function nabMillis(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/** The series as readings of `sensor`, oldest first. */
export function readMachineFailure(sensor: string): { sensor: string; ts: number; value: number }[] {
  return readFileSync(join(nab, 'data', machineFailureFile), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [ts = '', value = ''] = line.split(',');
      return { sensor, ts: nabMillis(ts), value: Number(value) };
    });
}

// NAB's README: the first anomaly is a planned shutdown, the second led directly to the third,
// "a catastrophic failure of the machine".
const labels = JSON.parse(readFileSync(join(nab, 'labels', 'combined_labels.json'), 'utf8')) as Record<
  string,
  string[]
>;
/** The failure's label (NAB's third labelled anomaly of the series). */
export const machineFailureLabel: string | undefined = labels[machineFailureFile]?.[2];
