// How a local render looks, chosen from the request's hash: a palette, a slowly moving
// gradient, a typeface and a camera move for a reference image. The same prompt and seed
// always give the same look (and the same bytes); another seed gives another look.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { filter, option } from './filtergraph.ts';

/**
 * Three colours per palette, dark to light, so white text reads on every one of them.
 * Every render is scored by the image classifier before release (S-MOD), and it reads
 * warm, green or cyan gradients as skin: over 30 to 40 renders each, the sunrise, ember
 * and forest palettes this list once had scored up to 0.86 as `Porn` (0.8 holds a video
 * for a person), with means near 0.35; ocean teal reached 0.70. Over 210 renders of the
 * palettes below (random prompts, seeds and shapes) the highest was 0.57, the mean 0.07.
 */
const PALETTES: readonly (readonly [string, string, string])[] = [
  ['1e1b4b', '7c3aed', 'f472b6'], // dusk
  ['020617', '1d4ed8', '93c5fd'], // midnight
  ['2e1065', '9333ea', 'f0abfc'], // orchid
  ['0f172a', '334155', '94a3b8'], // slate
  ['172554', '4338ca', 'c4b5fd'], // indigo
  ['042f2e', '0f766e', 'a78bfa'], // aurora
  ['3b0764', 'be185d', 'fda4af'], // berry
];

/** Typefaces shipped by the npm package dejavu-fonts-ttf (no system fonts needed). */
const TYPEFACES = ['DejaVuSans-Bold.ttf', 'DejaVuSerif-Bold.ttf', 'DejaVuSansCondensed-Bold.ttf'] as const;

/** The gradient is computed on a canvas this many pixels wide and scaled up: smooth and cheap. */
export const GRADIENT_CANVAS_PX = 32;
/** Darkening towards the corners, 0..1. */
const VIGNETTE = 0.35;
/** A reference image is zoomed in by up to this much over the video. */
const MAX_ZOOM = 0.15;
const MIN_ZOOM = 0.06;

export type Motion = 'waves' | 'radial' | 'sweep';
const MOTIONS: readonly Motion[] = ['waves', 'radial', 'sweep'];

export interface Look {
  palette: readonly [string, string, string];
  motion: Motion;
  fontFile: string;
  /** Radians per second and phases of the gradient's two fields. */
  speeds: [number, number];
  phases: [number, number];
  /** Spatial frequencies of the gradient: well under one band across the frame, so it stays soft. */
  bands: [number, number];
  /** Where a reference image's pan starts and ends (0..1 of the room left by the zoom). */
  pan: { from: [number, number]; to: [number, number] };
  zoom: number;
}

/** A small deterministic generator seeded from the request's hash (mulberry32). */
export function randomFrom(text: string, seed: number): () => number {
  const digest = createHash('sha256').update(`${seed}\u0000${text}`).digest();
  let state = digest.readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
const between = (random: () => number, low: number, high: number): number => low + random() * (high - low);

/** Where the font files are: beside the dejavu-fonts-ttf package's manifest. */
export function fontDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

export function lookFor(text: string, seed: number): Look {
  const random = randomFrom(text, seed);
  const corner = (): [number, number] => [random(), random()];
  return {
    palette: pick(random, PALETTES),
    motion: pick(random, MOTIONS),
    fontFile: join(fontDirectory(), pick(random, TYPEFACES)),
    speeds: [between(random, 0.25, 0.6), between(random, 0.15, 0.45)],
    phases: [between(random, 0, 2 * Math.PI), between(random, 0, 2 * Math.PI)],
    bands: [between(random, 0.4, 1), between(random, 0.3, 0.8)],
    pan: { from: corner(), to: corner() },
    zoom: between(random, MIN_ZOOM, MAX_ZOOM),
  };
}

const TAU = 2 * Math.PI;
const f = (n: number): string => n.toFixed(3);
const channel = (hex: string, at: number): number => parseInt(hex.slice(at, at + 2), 16);

/**
 * geq expressions for one colour channel: two moving fields `p` and `q` blend the
 * palette's three colours; a vignette darkens the corners.
 */
function channelExpression(look: Look, at: number): string {
  const [c1, c2, c3] = look.palette.map((hex) => channel(hex, at)) as [number, number, number];
  const [s1, s2] = look.speeds;
  const [ph1, ph2] = look.phases;
  const [k1, k2] = look.bands;
  const x = 'X/W';
  const y = 'Y/H';
  const p =
    look.motion === 'radial'
      ? `(0.5+0.5*cos(${f(k1 * TAU)}*hypot(${x}-0.5-0.25*sin(T*${f(s2)}),${y}-0.5-0.25*cos(T*${f(s2)}))-T*${f(s1)}+${f(ph1)}))`
      : look.motion === 'sweep'
        ? `(0.5+0.5*sin(${f(k1 * TAU)}*(${x}*cos(T*${f(s2 / 3)}+${f(ph2)})+${y}*sin(T*${f(s2 / 3)}+${f(ph2)}))+T*${f(s1)}+${f(ph1)}))`
        : `(0.5+0.5*sin(${f(k1 * TAU)}*${x}+T*${f(s1)}+${f(ph1)}))`;
  const q = `(0.5+0.5*sin(${f(k2 * TAU)}*${y}-T*${f(s2)}+${f(ph2)}+${f(k1)}*${x}))`;
  const vignette = `(1-${f(VIGNETTE * 2)}*(pow(${x}-0.5,2)+pow(${y}-0.5,2)))`;
  return `clip((${c1}+${c2 - c1}*${p}+${c3 - c2}*${p}*${q})*${vignette},0,255)`;
}

/** A lavfi source drawing the look's moving gradient at the output size. */
export function gradientSource(look: Look, width: number, height: number, fps: number): string {
  const canvasW =
    width >= height ? GRADIENT_CANVAS_PX : Math.max(2, Math.round((GRADIENT_CANVAS_PX * width) / height));
  const canvasH =
    width >= height ? Math.max(2, Math.round((GRADIENT_CANVAS_PX * height) / width)) : GRADIENT_CANVAS_PX;
  return [
    filter('color', ['c=black', `s=${canvasW}x${canvasH}`, option('r', fps)]),
    'format=gbrp',
    filter('geq', [
      option('r', channelExpression(look, 0)),
      option('g', channelExpression(look, 2)),
      option('b', channelExpression(look, 4)),
    ]),
    filter('scale', [option('w', width), option('h', height), 'flags=bicubic']),
  ].join(',');
}
