import type { Api } from './api.ts';
import { element, number, time } from './format.ts';
import type { HospitalsSnapshot } from './types.ts';

const levelNames = ['1 resuscitation', '2 emergent', '3 urgent', '4 less urgent', '5 non-urgent'];

/** The hospitals view: each emergency department's load and queue by triage level, and recent ambulance recommendations. */
export class HospitalsView {
  private readonly host: HTMLElement;
  private readonly api: Api;

  constructor(host: HTMLElement, api: Api) {
    this.host = host;
    this.api = api;
  }

  async refresh(): Promise<void> {
    let snapshot: HospitalsSnapshot;
    try {
      snapshot = await this.api.get<HospitalsSnapshot>('/api/v1/hospitals');
    } catch (error) {
      this.host.replaceChildren(element('p', 'muted', `Hospitals unavailable: ${(error as Error).message}`));
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
        queue.append(chip);
      });
      card.append(
        element('strong', '', hospital.name),
        element(
          'div',
          'muted',
          `${hospital.inTreatment}/${hospital.beds} beds · ${number(hospital.waitMinutes, 0)} min expected wait`,
        ),
        bar,
        queue,
      );
      return card;
    });
    const table = element('table', 'recommendations');
    const head = element('tr');
    for (const title of ['time', 'patient', 'KTAS', 'sent to', 'nearest', 'travel', 'expected'])
      head.append(element('th', '', title));
    table.append(head);
    for (const recommendation of snapshot.recommendations.slice(0, 15)) {
      const row = element('tr');
      const cells = [
        time(recommendation.ts),
        recommendation.patient,
        String(recommendation.level),
        recommendation.hospital,
        recommendation.nearest,
        `${number(recommendation.travelMinutes, 0)} min`,
        `${number(recommendation.expectedMinutes, 0)} min`,
      ];
      for (const cell of cells) row.append(element('td', '', cell));
      if (recommendation.hospital !== recommendation.nearest) row.className = 'diverted';
      table.append(row);
    }
    this.host.replaceChildren(
      element('div', 'hospitals', ''),
      element('h3', '', 'Recent ambulance recommendations'),
      table,
    );
    this.host.firstElementChild?.append(...cards);
  }
}
