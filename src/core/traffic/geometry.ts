/** Plane geometry for lanes, lane-link curves and their crossing points (CityFlow's construction). */
import type { Point } from './scenario.ts';

const epsilon = 1e-8;

export function distance(a: Point, b: Point): number {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

export function polylineLength(points: readonly Point[]): number {
  let length = 0;
  for (let i = 0; i + 1 < points.length; i++) length += distance(points[i]!, points[i + 1]!);
  return length;
}

function unit(a: Point, b: Point): Point {
  const length = distance(a, b);
  return length === 0 ? { x: 0, y: 0 } : { x: (b.x - a.x) / length, y: (b.y - a.y) / length };
}

/** Point at `along` metres on a polyline (clamped). */
export function pointAt(points: readonly Point[], along: number): Point {
  let rest = Math.max(0, along);
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const length = distance(a, b);
    if (rest > length) rest -= length;
    else
      return length === 0
        ? a
        : { x: a.x + ((b.x - a.x) * rest) / length, y: a.y + ((b.y - a.y) * rest) / length };
  }
  return points[points.length - 1]!;
}

/** Unit direction of a polyline at `along` metres. */
export function directionAt(points: readonly Point[], along: number): Point {
  let rest = along;
  for (let i = 0; i + 1 < points.length; i++) {
    const length = distance(points[i]!, points[i + 1]!);
    if (rest < length) return unit(points[i]!, points[i + 1]!);
    rest -= length;
  }
  return unit(points[points.length - 2]!, points[points.length - 1]!);
}

/**
 * Centre lines of a road's lanes: the road polyline is cut back by the width
 * of each non-virtual end intersection, then offset to the right by the
 * accumulated lane widths (lane 0 is innermost).
 */
export function lanePolylines(
  roadPoints: readonly Point[],
  laneWidths: readonly number[],
  startCutMetres: number,
  endCutMetres: number,
): Point[][] {
  const points = roadPoints.slice();
  const n = points.length;
  if (startCutMetres > 0) {
    const u = unit(points[0]!, points[1]!);
    points[0] = { x: points[0]!.x + u.x * startCutMetres, y: points[0]!.y + u.y * startCutMetres };
  }
  if (endCutMetres > 0) {
    const u = unit(points[n - 2]!, points[n - 1]!);
    points[n - 1] = { x: points[n - 1]!.x - u.x * endCutMetres, y: points[n - 1]!.y - u.y * endCutMetres };
  }
  const result: Point[][] = [];
  let offset = 0;
  for (const width of laneWidths) {
    const middle = offset + width / 2;
    const lane: Point[] = [];
    for (let j = 0; j < n; j++) {
      let u: Point;
      if (j === 0) u = unit(points[0]!, points[1]!);
      else if (j === n - 1) u = unit(points[j - 1]!, points[j]!);
      else {
        const u1 = unit(points[j]!, points[j + 1]!);
        const u2 = unit(points[j - 1]!, points[j]!);
        u = unit({ x: 0, y: 0 }, { x: u1.x + u2.x, y: u1.y + u2.y });
      }
      // Right-hand normal of u: (u.y, -u.x).
      lane.push({ x: points[j]!.x + u.y * middle, y: points[j]!.y - u.x * middle });
    }
    result.push(lane);
    offset += width;
  }
  return result;
}

function lerp(a: Point, b: Point, t: number): Point {
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
}

/** CityFlow's default lane-link curve: a cubic Bezier from the start lane's end to the end lane's start, 11 points. */
export function laneLinkCurve(
  startLane: readonly Point[],
  endLane: readonly Point[],
  startIntersectionWidth: number,
  endIntersectionWidth: number,
): Point[] {
  const startLength = polylineLength(startLane);
  const start = pointAt(startLane, startLength - startIntersectionWidth);
  const end = pointAt(endLane, endIntersectionWidth);
  const length = distance(start, end);
  const startDirection = directionAt(startLane, startLength - startIntersectionWidth);
  const endDirection = directionAt(endLane, endIntersectionWidth);
  let gap1 = { x: startDirection.x * length * 0.5, y: startDirection.y * length * 0.5 };
  let gap2 = { x: -endDirection.x * length * 0.5, y: -endDirection.y * length * 0.5 };
  if (gap1.x * gap1.x + gap1.y * gap1.y < 25 && startIntersectionWidth >= 5) {
    gap1 = { x: 5 * startDirection.x, y: 5 * startDirection.y };
  }
  if (gap2.x * gap2.x + gap2.y * gap2.y < 25 && endIntersectionWidth >= 5) {
    gap2 = { x: 5 * endDirection.x, y: 5 * endDirection.y };
  }
  const mid1 = { x: start.x + gap1.x, y: start.y + gap1.y };
  const mid2 = { x: end.x + gap2.x, y: end.y + gap2.y };
  const curve: Point[] = [];
  for (let i = 0; i <= 10; i++) {
    const t = i / 10;
    const p4 = lerp(lerp(start, mid1, t), lerp(mid1, mid2, t), t);
    const p5 = lerp(lerp(mid1, mid2, t), lerp(mid2, end, t), t);
    curve.push(lerp(p4, p5, t));
  }
  return curve;
}

/**
 * First crossing of two polylines (scanning segments of `a`, then of `b`),
 * as distances along each; null when they do not cross. Mirrors CityFlow,
 * including that a parallel segment of `b` does not add to the distance on `b`.
 */
export function firstCrossing(
  a: readonly Point[],
  b: readonly Point[],
  aLengths: readonly number[] = segmentLengths(a),
  bLengths: readonly number[] = segmentLengths(b),
): { alongA: number; alongB: number } | null {
  let alongA = 0;
  for (let ia = 0; ia + 1 < a.length; ia++) {
    const a1 = a[ia]!;
    const a2 = a[ia + 1]!;
    const dax = a2.x - a1.x;
    const day = a2.y - a1.y;
    let alongB = 0;
    for (let ib = 0; ib + 1 < b.length; ib++) {
      const b1 = b[ib]!;
      const b2 = b[ib + 1]!;
      const dbx = b2.x - b1.x;
      const dby = b2.y - b1.y;
      const denominator = dax * dby - day * dbx;
      if (Math.abs(denominator) < epsilon) continue;
      const ox = b1.x - a1.x;
      const oy = b1.y - a1.y;
      const t = (ox * dby - oy * dbx) / denominator;
      const s = (ox * day - oy * dax) / denominator;
      if (t >= -epsilon && t <= 1 + epsilon && s >= -epsilon && s <= 1 + epsilon) {
        const p = { x: a1.x + dax * t, y: a1.y + day * t };
        return { alongA: alongA + distance(a1, p), alongB: alongB + distance(b1, p) };
      }
      alongB += bLengths[ib]!;
    }
    alongA += aLengths[ia]!;
  }
  return null;
}

/** Lengths of a polyline's segments, in order (`distance` between neighbouring points). */
export function segmentLengths(points: readonly Point[]): number[] {
  const lengths: number[] = [];
  for (let i = 0; i + 1 < points.length; i++) lengths.push(distance(points[i]!, points[i + 1]!));
  return lengths;
}
