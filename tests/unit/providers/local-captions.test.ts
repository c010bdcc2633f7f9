// The local renderer's text layout: what goes on the title and caption cards, how it is
// wrapped to the frame, and when each card shows.
import { describe, expect, it } from 'vitest';
import {
  MIN_CARD_SECONDS,
  TITLE_MAX_CHARS,
  TITLE_MAX_LINES,
  cleanText,
  planCards,
  splitTitle,
  textWidthEm,
  wrapText,
} from '../../../providers/local/captions.ts';
import { option } from '../../../providers/local/filtergraph.ts';

const LAYOUT = { titleEm: 14, captionEm: 24 };
const LONG =
  'A paper boat drifts down a rainy street. Neon signs shimmer in the puddles while a cat watches from a doorway, and the boat spins past a lost umbrella before it slips into a drain and is gone.';

describe('wrapText', () => {
  it('keeps every word, in order, on lines no wider than asked', () => {
    const lines = wrapText(LONG, LAYOUT.captionEm);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join(' ')).toBe(cleanText(LONG));
    for (const line of lines) expect(textWidthEm(line)).toBeLessThanOrEqual(LAYOUT.captionEm);
  });

  it('breaks text without spaces (Chinese) between characters, and over-long words by characters', () => {
    const chinese = '一只纸船顺着下雨的街道漂流，霓虹灯在水坑里闪烁，一只猫在门口看着。';
    const lines = wrapText(chinese, 8);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe(chinese);
    const word = 'Supercalifragilisticexpialidocious'.repeat(3);
    const pieces = wrapText(word, 10);
    expect(pieces.join('')).toBe(word);
    for (const line of [...lines, ...pieces]) expect(textWidthEm(line)).toBeLessThanOrEqual(10);
  });

  it('turns newlines, tabs and control characters into single spaces', () => {
    expect(cleanText(' one\ntwo\t\tthree\r\n\u0000four\u202e ')).toBe('one two three four');
  });
});

describe('splitTitle', () => {
  it('takes the first sentence as the title and keeps the rest for captions', () => {
    expect(splitTitle(LONG).title).toBe('A paper boat drifts down a rainy street.');
    expect(splitTitle('你好，世界。今天下雨。')).toEqual({ title: '你好，世界。', rest: '今天下雨。' });
  });

  it('cuts a long first sentence at a word, losing nothing', () => {
    const text = 'word '.repeat(40).trim();
    const { title, rest } = splitTitle(text);
    expect(title.length).toBeLessThanOrEqual(TITLE_MAX_CHARS);
    expect(`${title} ${rest}`).toBe(text);
  });
});

describe('planCards', () => {
  it('holds a short text as a centred title for the whole video', () => {
    const cards = planCards('Lighthouse in a storm', 5, LAYOUT);
    expect(cards).toEqual([
      { kind: 'title', lines: ['Lighthouse in a storm'], start: 0, end: 5, fadeOut: false },
    ]);
  });

  it('keeps the title up and shows the rest as captions that fill the video without overlapping', () => {
    const cards = planCards(LONG, 8, LAYOUT);
    const [title, ...captions] = cards;
    expect(title).toMatchObject({ kind: 'title', start: 0, end: 8 });
    expect(title?.moveAt).toBeGreaterThan(0);
    expect(captions.length).toBeGreaterThan(1);
    expect(captions.at(-1)?.end).toBe(8);
    for (const [i, card] of captions.entries()) {
      expect(card.lines.length).toBeLessThanOrEqual(2);
      expect(card.start).toBeGreaterThan(title?.moveAt ?? 0);
      if (i > 0) expect(card.start).toBeCloseTo(captions[i - 1]?.end ?? 0);
    }
  });

  it('cuts text that would flash by too fast, and says so with an ellipsis', () => {
    const cards = planCards(`${LONG} ${LONG} ${LONG}`, 3, LAYOUT);
    const captions = cards.filter((c) => c.kind === 'caption');
    for (const card of captions)
      expect(card.end - card.start).toBeGreaterThanOrEqual(MIN_CARD_SECONDS * 0.99);
    expect(captions.at(-1)?.lines.at(-1)).toMatch(/…$/);
  });

  it('keeps a long title to its line limit', () => {
    const cards = planCards('Incomprehensibilities '.repeat(3), 5, { titleEm: 6, captionEm: 20 });
    expect(cards[0]?.lines.length).toBeLessThanOrEqual(TITLE_MAX_LINES);
  });
});

describe('filter graph options', () => {
  it('leave numbers as they are and never let a value end its option or filter early', () => {
    expect(option('fontsize', 24)).toBe('fontsize=24');
    for (const value of ["it's", 'a:b', 'a,b', 'a;b', '[out]', 'back\\slash']) {
      const written = option('text', value);
      // Outside quotes, every special character of the graph parser is escaped.
      expect(written.replace(/\\./g, '')).not.toMatch(/[,;[\]]/);
    }
  });
});
