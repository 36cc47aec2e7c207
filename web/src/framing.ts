/** An axis-aligned rectangle in CSS pixels. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * The part of a `width` × `height` view where content of `contentWidth` × `contentHeight` shows
 * largest without being covered by any of `covers` (the boxes drawn over the view: filters, legend,
 * buttons). Candidate edges are the view's and the covers' edges; of the candidates that no cover
 * overlaps, the one that lets the content be drawn at the largest scale wins.
 */
export function clearArea(
  width: number,
  height: number,
  covers: Box[],
  contentWidth: number,
  contentHeight: number,
): Box {
  const inside = covers.filter(
    (cover) => cover.right > 0 && cover.bottom > 0 && cover.left < width && cover.top < height,
  );
  const lefts = [0, ...inside.map((cover) => cover.right)];
  const rights = [width, ...inside.map((cover) => cover.left)];
  const tops = [0, ...inside.map((cover) => cover.bottom)];
  const bottoms = [height, ...inside.map((cover) => cover.top)];
  let best: Box = { left: 0, top: 0, right: width, bottom: height };
  let bestScale = -1;
  for (const left of lefts)
    for (const right of rights)
      for (const top of tops)
        for (const bottom of bottoms) {
          if (right <= left || bottom <= top) continue;
          const box = { left, top, right, bottom };
          if (inside.some((cover) => overlaps(box, cover))) continue;
          const scale = Math.min(
            (right - left) / Math.max(1, contentWidth),
            (bottom - top) / Math.max(1, contentHeight),
          );
          if (scale > bestScale) {
            best = box;
            bestScale = scale;
          }
        }
  return best;
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}
