/**
 * Draws the Teams app icons for Cynhwysiant / Inclusion bot:
 *   appPackage/color.png   192×192, full colour: a white figure inside an open circle on Welsh green-teal,
 *                          with a small dot in the opening (someone joining the circle: inclusion)
 *   appPackage/outline.png  32×32, the same mark in white on transparent (the only colours Teams accepts)
 *
 * Shapes are signed-distance functions, so the mark is defined once in unit coordinates and rendered at
 * both sizes; each pixel is supersampled (8×8) for anti-aliasing. Run: `npx tsx scripts/make-icons.ts`.
 * The PNGs are committed; `npm run package` checks their sizes and the outline's colours.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

type Rgb = readonly [number, number, number];

/** Welsh green-teal: white on it has a contrast ratio above 5:1. */
export const BRAND: Rgb = [0x00, 0x7a, 0x5e];
const WHITE: Rgb = [0xff, 0xff, 0xff];

interface MarkGeometry {
  /** Ring radius and stroke width, as fractions of the canvas size. */
  ringR: number;
  ringW: number;
  headR: number;
  headY: number;
  bodyY: number;
  bodyRx: number;
  bodyRy: number;
  dotR: number;
}

// The outline icon is tiny: its strokes are relatively thicker so they stay at least 2 px wide.
const COLOR_MARK: MarkGeometry = {
  ringR: 0.3, ringW: 0.06, headR: 0.075, headY: 0.39, bodyY: 0.655, bodyRx: 0.16, bodyRy: 0.14, dotR: 0.045,
};
const OUTLINE_MARK: MarkGeometry = {
  ringR: 0.4, ringW: 0.085, headR: 0.105, headY: 0.36, bodyY: 0.7, bodyRx: 0.215, bodyRy: 0.19, dotR: 0.07,
};

// Opening of the ring, top right (screen angles: y grows downwards, so "up" is negative).
const GAP_FROM = (-75 * Math.PI) / 180;
const GAP_TO = (-15 * Math.PI) / 180;

const len = (x: number, y: number): number => Math.hypot(x, y);

/** Signed distance to the mark (negative inside), in unit coordinates centred on (0.5, 0.5). */
export function markDistance(px: number, py: number, g: MarkGeometry): number {
  const x = px - 0.5;
  const y = py - 0.5;

  // Open ring with round caps: inside the gap the nearest point is a cap centre.
  const a = Math.atan2(y, x);
  const inGap = a > GAP_FROM && a < GAP_TO;
  const ring = inGap
    ? Math.min(
        len(x - g.ringR * Math.cos(GAP_FROM), y - g.ringR * Math.sin(GAP_FROM)),
        len(x - g.ringR * Math.cos(GAP_TO), y - g.ringR * Math.sin(GAP_TO)),
      ) - g.ringW / 2
    : Math.abs(len(x, y) - g.ringR) - g.ringW / 2;

  // The dot sits in the middle of the opening, on the ring's line.
  const mid = (GAP_FROM + GAP_TO) / 2;
  const dot = len(x - g.ringR * Math.cos(mid), y - g.ringR * Math.sin(mid)) - g.dotR;

  const head = len(px - 0.5, py - g.headY) - g.headR;

  // Shoulders: the upper half of an ellipse (scaled-circle distance, close enough for coverage).
  const ex = (px - 0.5) / g.bodyRx;
  const ey = (py - g.bodyY) / g.bodyRy;
  const ellipse = (len(ex, ey) - 1) * Math.min(g.bodyRx, g.bodyRy);
  const body = Math.max(ellipse, py - g.bodyY);

  return Math.min(ring, dot, head, body);
}

/** Fraction of the pixel (x, y) covered by the mark, sampled on an n×n grid. */
function coverage(x: number, y: number, size: number, g: MarkGeometry, n = 8): number {
  // Far from every edge (beyond the half-diagonal, with margin for the approximate ellipse): all in or all out.
  const centre = markDistance((x + 0.5) / size, (y + 0.5) / size, g);
  if (Math.abs(centre) > 1.5 / size) return centre < 0 ? 1 : 0;
  let inside = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const u = (x + (i + 0.5) / n) / size;
      const v = (y + (j + 0.5) / n) / size;
      if (markDistance(u, v, g) < 0) inside++;
    }
  }
  return inside / (n * n);
}

/** 192×192: white mark over an opaque brand-colour background. */
export function drawColorIcon(size = 192): PNG {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = coverage(x, y, size, COLOR_MARK);
      const i = (y * size + x) * 4;
      for (let k = 0; k < 3; k++) png.data[i + k] = Math.round(BRAND[k]! * (1 - c) + WHITE[k]! * c);
      png.data[i + 3] = 255;
    }
  }
  return png;
}

/** 32×32: white everywhere, the mark carried by alpha alone (anti-aliased edges are white, part-transparent). */
export function drawOutlineIcon(size = 32): PNG {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = coverage(x, y, size, OUTLINE_MARK);
      const i = (y * size + x) * 4;
      png.data[i] = 255;
      png.data[i + 1] = 255;
      png.data[i + 2] = 255;
      png.data[i + 3] = Math.round(255 * c);
    }
  }
  return png;
}

function main(): void {
  const dir = join(__dirname, '..', 'appPackage');
  writeFileSync(join(dir, 'color.png'), PNG.sync.write(drawColorIcon()));
  writeFileSync(join(dir, 'outline.png'), PNG.sync.write(drawOutlineIcon()));
  console.log(`wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}`);
}

if (require.main === module) main();
