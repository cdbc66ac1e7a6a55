/** The committed icons: sizes, the outline's colours, and that they are what scripts/make-icons.ts draws. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { drawColorIcon, drawOutlineIcon } from '../../scripts/make-icons';
import { iconProblems } from '../../scripts/package';

const ROOT = join(__dirname, '..', '..');
const load = (name: string) => PNG.sync.read(readFileSync(join(ROOT, 'appPackage', name)));

describe('app icons', () => {
  it('outline.png holds only white and fully transparent pixels', () => {
    const png = load('outline.png');
    const offending: string[] = [];
    for (let i = 0; i < png.width * png.height; i++) {
      const [r, g, b, a] = [png.data[i * 4], png.data[i * 4 + 1], png.data[i * 4 + 2], png.data[i * 4 + 3]];
      if (a !== 0 && !(r === 255 && g === 255 && b === 255)) offending.push(`(${i % png.width},${Math.floor(i / png.width)})`);
    }
    expect(offending).toEqual([]);
    // ...and it draws something: a mark, not an empty square.
    const opaque = [...Array(png.width * png.height).keys()].filter((i) => png.data[i * 4 + 3]! > 127).length;
    expect(opaque).toBeGreaterThan(100);
  });

  it('color.png is 192×192, opaque, and outline.png 32×32', () => {
    const color = load('color.png');
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([...Array(192 * 192).keys()].every((i) => color.data[i * 4 + 3] === 255)).toBe(true);
    expect(iconProblems('color', color, 'color.png')).toEqual([]);
    expect(iconProblems('outline', load('outline.png'), 'outline.png')).toEqual([]);
  });

  it('the package check rejects a coloured pixel in the outline and a wrong size', () => {
    const outline = load('outline.png');
    outline.data[0] = 0;
    outline.data[3] = 255;
    expect(iconProblems('outline', outline, 'outline.png')).toEqual([
      expect.stringMatching(/icons\.outline: outline\.png has 1 pixel\(s\) that are neither white nor transparent/),
    ]);
    expect(iconProblems('color', new PNG({ width: 96, height: 96 }), 'color.png')).toEqual([
      'icons.color: color.png is 96×96, must be exactly 192×192',
    ]);
  });

  it('the committed PNGs are what scripts/make-icons.ts draws (regenerate after changing it)', () => {
    expect(Buffer.compare(drawColorIcon().data, load('color.png').data)).toBe(0);
    expect(Buffer.compare(drawOutlineIcon().data, load('outline.png').data)).toBe(0);
  });
});
