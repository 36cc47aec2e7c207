/**
 * Small hand-made CityFlow scenarios for tests: one signalised crossing with
 * a west->east approach (`westLanes` lanes, all straight on) and a
 * south->north approach (one lane), both straight.
 * Light phase 0 is the yellow (nothing green), 1 = west->east, 2 = south->north.
 */

export function crossingRoadnet(roadMetres = 300, westLanes = 1): unknown {
  const lane = [{ width: 4, maxSpeed: 11.111 }];
  const road = (
    id: string,
    from: [number, number],
    to: [number, number],
    start: string,
    end: string,
    lanes = lane,
  ): unknown => ({
    id,
    points: [
      { x: from[0], y: from[1] },
      { x: to[0], y: to[1] },
    ],
    lanes,
    startIntersection: start,
    endIntersection: end,
  });
  const boundary = (id: string, x: number, y: number, roads: string[]): unknown => ({
    id,
    point: { x, y },
    width: 0,
    roads,
    roadLinks: [],
    trafficLight: { lightphases: [] },
    virtual: true,
  });
  const d = roadMetres;
  return {
    intersections: [
      boundary('west', -d, 0, ['road_in_w']),
      boundary('east', d, 0, ['road_out_e']),
      boundary('south', 0, -d, ['road_in_s']),
      boundary('north', 0, d, ['road_out_n']),
      {
        id: 'centre',
        point: { x: 0, y: 0 },
        width: 10,
        roads: ['road_in_w', 'road_out_e', 'road_in_s', 'road_out_n'],
        roadLinks: [
          {
            type: 'go_straight',
            startRoad: 'road_in_w',
            endRoad: 'road_out_e',
            direction: 0,
            laneLinks: Array.from({ length: westLanes }, (_, k) => ({
              startLaneIndex: k,
              endLaneIndex: 0,
              points: [],
            })),
          },
          {
            type: 'go_straight',
            startRoad: 'road_in_s',
            endRoad: 'road_out_n',
            direction: 1,
            laneLinks: [{ startLaneIndex: 0, endLaneIndex: 0, points: [] }],
          },
        ],
        trafficLight: {
          lightphases: [
            { time: 5, availableRoadLinks: [] },
            { time: 30, availableRoadLinks: [0] },
            { time: 30, availableRoadLinks: [1] },
          ],
        },
        virtual: false,
      },
    ],
    roads: [
      road(
        'road_in_w',
        [-d, 0],
        [0, 0],
        'west',
        'centre',
        Array.from({ length: westLanes }, () => lane[0]!),
      ),
      road('road_out_e', [0, 0], [d, 0], 'centre', 'east'),
      road('road_in_s', [0, -d], [0, 0], 'south', 'centre'),
      road('road_out_n', [0, 0], [0, d], 'centre', 'north'),
    ],
  };
}

export const testVehicle = {
  length: 5,
  width: 2,
  maxPosAcc: 2,
  maxNegAcc: 4.5,
  usualPosAcc: 2,
  usualNegAcc: 4.5,
  minGap: 2.5,
  maxSpeed: 11.111,
  headwayTime: 2,
};

export function flowEntry(route: string[], startTime: number, endTime: number, interval = 1): unknown {
  // A copy: a test that edits its entry's vehicle must not change the next test's.
  return { vehicle: { ...testVehicle }, route, interval, startTime, endTime };
}
