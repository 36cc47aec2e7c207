import type { Api } from './api.ts';
import { element, failureText, moment, number } from './format.ts';
import { oneAtATime } from './one-at-a-time.ts';
import type { HospitalsSnapshot } from './types.ts';

const levelNames = ['1 resuscitation', '2 emergent', '3 urgent', '4 less urgent', '5 non-urgent'];

/**
 * The hospitals view: the platform's emergency departments (load, queue by triage level, mean wait
 * of the waiting patients, ambulances on their way, capacity tags that could not be read) and its
 * recent ambulance dispatches.
 */
export class HospitalsView {
  private readonly host: HTMLElement;
  private readonly api: Api;

  constructor(host: HTMLElement, api: Api) {
    this.host = host;
    this.api = api;
  }

  /** Reads the departments again and redraws them; a call while a read is under way joins it. */
  readonly refresh = oneAtATime(() => this.load());

  private async load(): Promise<void> {
    let snapshot: HospitalsSnapshot;
    try {
      snapshot = await this.api.get<HospitalsSnapshot>('/api/v1/hospitals');
    } catch (error) {
      this.host.replaceChildren(element('p', 'muted', `Hospitals unavailable: ${failureText(error)}`));
      return;
    }
    const cards = snapshot.hospitals.map((hospital) => {
      const load = hospital.inTreatment / Math.max(1, hospital.beds);
      const card = element('article', 'hospital');
      card.dataset.hospital = hospital.id;
      const bar = element('div', 'load');
      const fill = element('div', load >= 0.95 ? 'fill hot' : load >= 0.8 ? 'fill warm' : 'fill');
      fill.style.width = `${Math.min(100, Math.round(100 * load))}%`;
      bar.append(fill);
      const queue = element('div', 'levels');
      hospital.queueByLevel.forEach((count, level) => {
        const chip = element('span', `level level-${level + 1}`, String(count));
        chip.title = `waiting, KTAS ${levelNames[level] ?? level + 1}`;
        chip.setAttribute('aria-label', `${count} waiting, KTAS ${levelNames[level] ?? level + 1}`);
        queue.append(chip);
      });
      card.append(
        element('strong', '', hospital.name),
        element(
          'div',
          'muted',
          `${hospital.beds === 0 ? 'closed (no treatment space or doctor)' : `${hospital.inTreatment}/${hospital.beds} beds`} · ${waitingText(hospital.queueByLevel, hospital.waitMinutes)}` +
            (hospital.enRoute > 0
              ? ` · ${hospital.enRoute} ambulance${hospital.enRoute === 1 ? '' : 's'} en route`
              : ''),
        ),
        bar,
        queue,
      );
      if (hospital.beds === 0) card.classList.add('closed');
      for (const problem of hospital.problems) card.append(element('div', 'problem', problem));
      return card;
    });
    const table = element('table', 'recommendations');
    const head = element('tr');
    for (const title of ['time', 'KTAS', 'sent to', 'nearest', 'travel', 'expected', 'reason'])
      head.append(element('th', '', title));
    table.append(head);
    for (const recommendation of snapshot.recommendations.slice(0, 15)) {
      const row = element('tr');
      const cells = [
        moment(recommendation.ts),
        String(recommendation.level),
        recommendation.hospital,
        recommendation.nearest,
        `${number(recommendation.travelMinutes, 0)} min`,
        `${number(recommendation.expectedMinutes, 0)} min`,
        recommendation.reason,
      ];
      for (const cell of cells) row.append(element('td', '', cell));
      if (recommendation.hospital !== recommendation.nearest) row.className = 'diverted';
      table.append(row);
    }
    // What the coloured counts on each card are (bug: only a hover said so).
    const legend = element('p', 'levels levels-legend muted', 'Waiting by KTAS level: ');
    levelNames.forEach((name, level) => legend.append(element('span', `level level-${level + 1}`, name)));
    const grid = element('div', 'hospitals', '');
    grid.append(...cards);
    this.host.replaceChildren(legend, grid, element('h3', '', 'Recent ambulance dispatches'), table);
  }
}

/** The waiting room: how many wait and their mean wait so far, or that nobody waits (not a 0 min wait). */
function waitingText(queueByLevel: readonly number[], waitMinutes: number): string {
  const waiting = queueByLevel.reduce((sum, count) => sum + count, 0);
  if (waiting === 0) return 'no one waiting';
  return `${waiting} waiting, ${number(waitMinutes, waitMinutes < 10 ? 1 : 0)} min mean wait`;
}
