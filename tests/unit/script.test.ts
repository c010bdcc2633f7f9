// Script projects' pure rules (domain/script*.ts) and the language-model adapter
// (providers/llm.ts) against answers shaped like the chat-completions API's.
import { describe, expect, it } from 'vitest';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import {
  compareScenes,
  MAX_SCENE_TEXT_LENGTH,
  MAX_SCENES,
  MAX_SCRIPT_LENGTH,
  snapDuration,
  speakingSeconds,
  SPEECH_WORDS_PER_SECOND,
  TARGET_SCENE_WORDS,
  type ComparableScene,
} from '../../domain/script.ts';
import { parseSrt, readScriptFile, splitScript, webVtt, wrapLines } from '../../domain/script-text.ts';
import { DAY } from '../../domain/time.ts';
import { scenesSchema, splitWithChatModel } from '../../providers/llm.ts';
import { ProviderError } from '../../providers/types.ts';

const LOCAL = [2, 3, 4, 5, 6, 8, 10];
const bytes = (text: string) => new TextEncoder().encode(text);

describe('the policy table', () => {
  it('[R-INTERMEDIATE] keeps an intermediate file no final video uses 7 days at most', () => {
    expect(RETENTION_POLICY.intermediate.keepMs).toBe(7 * DAY);
    expect(RETENTION_POLICY.intermediate.promise).toBe('R-INTERMEDIATE');
  });
});

describe('the built-in splitter', () => {
  it('keeps paragraphs apart and groups short sentences, each scene long enough to be said', () => {
    const split = splitScript('One. Two words here.\n\nA new paragraph starts.', 'text', LOCAL);
    expect(split).toEqual({
      ok: true,
      scenes: [
        { text: 'One. Two words here.', durationSeconds: 2 },
        { text: 'A new paragraph starts.', durationSeconds: 2 },
      ],
    });
  });

  it('starts a new scene once one has about 18 words, and gives the same scenes every time', () => {
    const sentence = 'The quick brown fox jumps over the lazy dog again.';
    const text = Array.from({ length: 5 }, () => sentence).join(' ');
    const first = splitScript(text, 'text', LOCAL);
    expect(first.ok && first.scenes.map((s) => s.text.split(' ').length)).toEqual([10, 10, 10, 10, 10]);
    expect(splitScript(text, 'text', LOCAL)).toEqual(first);
  });

  it('makes one scene per SubRip cue, timed like the cue and rounded up to a duration the model offers', () => {
    const srt =
      '1\n00:00:01,000 --> 00:00:04,500\n<i>Hello</i>\nthere.\n\n2\n00:00:05,000 --> 00:00:06,000\nBye.';
    expect(parseSrt(srt)).toEqual([
      { startSeconds: 1, endSeconds: 4.5, text: 'Hello there.' },
      { startSeconds: 5, endSeconds: 6, text: 'Bye.' },
    ]);
    expect(splitScript(srt, 'srt', LOCAL)).toEqual({
      ok: true,
      scenes: [
        { text: 'Hello there.', durationSeconds: 4 },
        { text: 'Bye.', durationSeconds: 2 },
      ],
    });
  });

  it('reads SubRip times with hours, minutes and short milliseconds, cues without an index, any line ending', () => {
    const srt =
      '1\r01:02:03,5 --> 01:02:04,25\rHi\r\r00:10:00.000 --> 00:10:02.000\rNo index.\r\n\r\n' +
      '3\n00:11:00,000 --> 00:11:01,000\n\n4\nno timing here\n\n5\n00:12:00,000 --> 00:12:01,000\n<i></i>\n\n' +
      ' 6 \n 00:13:00,000 --> 00:13:01,000 \n<b>Spaced</b>   out </i>';
    expect(parseSrt(srt)).toEqual([
      { startSeconds: 3723.5, endSeconds: 3724.25, text: 'Hi' },
      { startSeconds: 600, endSeconds: 602, text: 'No index.' },
      { startSeconds: 780, endSeconds: 781, text: 'Spaced out' },
    ]);
  });

  it('cuts a sentence too long for one scene at word boundaries, losing no word', () => {
    const words = Array.from({ length: 150 }, (_, i) => `word${i}`);
    const split = splitScript(`${words.join(' ')}.`, 'text', LOCAL);
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    expect(split.scenes.length).toBe(Math.ceil(`${words.join(' ')}.`.length / MAX_SCENE_TEXT_LENGTH));
    for (const scene of split.scenes) expect(scene.text.length).toBeLessThanOrEqual(MAX_SCENE_TEXT_LENGTH);
    expect(split.scenes.map((s) => s.text).join(' ')).toBe(`${words.join(' ')}.`);
    // A cue too long for one scene is cut the same way, each part as long as the cue.
    const cue = splitScript(`1\n00:00:00,000 --> 00:00:09,000\n${words.join(' ')}`, 'srt', LOCAL);
    expect(cue.ok && cue.scenes.map((s) => s.text).join(' ')).toBe(words.join(' '));
    expect(cue.ok && cue.scenes.every((s) => s.text.length <= MAX_SCENE_TEXT_LENGTH)).toBe(true);
    // A part may fill a scene exactly.
    const exact = `${'a'.repeat(249)} ${'b'.repeat(250)} z`;
    expect(splitScript(exact, 'text', LOCAL)).toMatchObject({
      ok: true,
      scenes: [{ text: exact.slice(0, MAX_SCENE_TEXT_LENGTH) }, { text: 'z' }],
    });
    // A single word longer than a scene is cut to a scene's length.
    const long = splitScript('x'.repeat(MAX_SCENE_TEXT_LENGTH + 20), 'text', LOCAL);
    expect(long.ok && long.scenes.map((s) => s.text.length)).toEqual([MAX_SCENE_TEXT_LENGTH]);
  });

  it('groups sentences up to exactly the target of words, across spaces and blank lines of spaces', () => {
    const words = (n: number, at = 0) => `${Array.from({ length: n }, (_, i) => `w${at + i}`).join(' ')}.`;
    const half = TARGET_SCENE_WORDS / 2;
    const text = `${words(half)}   ${words(half, half)} ${words(1, 99)}\n \t\n${words(2, 50)}`;
    const split = splitScript(text, 'text', LOCAL);
    expect(split.ok && split.scenes.map((s) => s.text)).toEqual([
      `${words(half)} ${words(half, half)}`,
      words(1, 99),
      words(2, 50),
    ]);
  });

  it('refuses a script without words, or with more scenes than a project takes', () => {
    expect(splitScript('   \n\n ', 'text', LOCAL).ok).toBe(false);
    const many = Array.from({ length: 30 }, (_, i) => `Scene ${i}.`).join('\n\n');
    const most = Array.from({ length: MAX_SCENES }, (_, i) => `Scene ${i}.`).join('\n\n');
    expect(splitScript(most, 'text', LOCAL)).toMatchObject({ ok: true, scenes: { length: MAX_SCENES } });
    const refused = splitScript(many, 'text', LOCAL);
    expect(refused.ok === false && refused.reason).toContain('30 scenes');
  });

  it('rounds up to the shortest offered duration, or the longest one', () => {
    expect(snapDuration(3.2, [5, 9])).toBe(5);
    expect(snapDuration(12, [5, 9])).toBe(9);
    // A model may list its durations in any order.
    expect(snapDuration(6, [10, 5, 8])).toBe(8);
    expect(snapDuration(12, [10, 5, 8])).toBe(10);
    expect(() => snapDuration(3, [])).toThrow(RangeError);
  });

  it('gives a scene at least a second, and the time its words take to say', () => {
    expect(speakingSeconds('')).toBe(1);
    const eight = ` ${Array.from({ length: 8 }, () => 'word').join('  ')} `;
    expect(speakingSeconds(eight)).toBe(Math.ceil(8 / SPEECH_WORDS_PER_SECOND));
    expect(speakingSeconds(eight)).toBeGreaterThan(1);
  });
});

describe('uploaded scripts', () => {
  it('are judged by their bytes: UTF-8 text or SubRip, never a binary or another encoding', () => {
    expect(readScriptFile(bytes('\ufeffHello.\r\nWorld.'))).toEqual({
      ok: true,
      text: 'Hello.\nWorld.',
      format: 'text',
    });
    expect(readScriptFile(bytes('1\n00:00:00,000 --> 00:00:01,000\nHi\n'))).toMatchObject({
      ok: true,
      format: 'srt',
    });
    expect(readScriptFile(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])).ok).toBe(false);
    expect(readScriptFile(new Uint8Array([0xff, 0xfe, 0x48, 0x00])).ok).toBe(false);
    expect(readScriptFile(bytes('a\u0000b')).ok).toBe(false);
    expect(readScriptFile(new Uint8Array()).ok).toBe(false);
  });

  it('are SubRip only when they open with a cue index and its timing line', () => {
    const timing = '00:00:01,000 --> 00:00:02,000';
    expect(readScriptFile(bytes(`\n\n12 \n${timing} \nHi`))).toMatchObject({ format: 'srt' });
    // A number on the first line alone is prose: a chapter, a year.
    expect(readScriptFile(bytes('1\nOnce upon a time.'))).toMatchObject({ ok: true, format: 'text' });
    expect(readScriptFile(bytes(`Scene 1\n${timing}\nHi`))).toMatchObject({ format: 'text' });
    expect(readScriptFile(bytes(`1.\n${timing}\nHi`))).toMatchObject({ format: 'text' });
    expect(readScriptFile(bytes(`12\n${timing}\nHi`))).toMatchObject({ format: 'srt' });
    // Old Mac files end their lines with a carriage return alone.
    expect(readScriptFile(bytes('Hello.\rWorld.'))).toEqual({
      ok: true,
      text: 'Hello.\nWorld.',
      format: 'text',
    });
    expect(readScriptFile(bytes(' \n\t '))).toEqual({ ok: false, reason: 'The file has no text.' });
  });

  it('are refused when not UTF-8 or too long, and taken up to the longest allowed', () => {
    // "Héllo" saved as Latin-1: a decoder that replaced the byte would read it as text.
    expect(readScriptFile(new Uint8Array([0x48, 0xe9, 0x6c, 0x6c, 0x6f]))).toEqual({
      ok: false,
      reason: 'The file is not text (UTF-8). Upload a .txt or .srt file.',
    });
    expect(readScriptFile(bytes('a'.repeat(MAX_SCRIPT_LENGTH)))).toMatchObject({ ok: true });
    expect(readScriptFile(bytes('a'.repeat(MAX_SCRIPT_LENGTH + 1)))).toMatchObject({ ok: false });
  });
});

describe('subtitles', () => {
  it('break a cue into lines a viewer can read, a line as long as the width allowed', () => {
    const text = 'The quick brown fox jumps over the lazy dog and runs far away';
    expect(wrapLines(text, 19)).toEqual([
      'The quick brown fox',
      'jumps over the lazy',
      'dog and runs far',
      'away',
    ]);
    expect(wrapLines('  one   two  ')).toEqual(['one two']);
    const vtt = webVtt([{ text: `${text} ${text}`, durationSeconds: 8 }]);
    const lines = vtt.split('\n').slice(4, -1);
    expect(lines.join(' ')).toBe(`${text} ${text}`);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(42);
  });

  it('time one cue per scene by the scenes, escaping what WebVTT gives a meaning to', () => {
    const vtt = webVtt([
      { text: 'First <b>scene</b> & more', durationSeconds: 3 },
      { text: 'Then --> the second', durationSeconds: 62 },
    ]);
    expect(vtt).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:03.000\nFirst &lt;b&gt;scene&lt;/b&gt; &amp; more\n\n' +
        '2\n00:00:03.000 --> 00:01:05.000\nThen --&gt; the second\n',
    );
  });
});

describe('comparing revisions', () => {
  const scene = (position: number, extra: Partial<ComparableScene> = {}): ComparableScene => ({
    position,
    text: `scene ${position}`,
    durationSeconds: 3,
    modelId: 'local-v1',
    imageAssetId: null,
    clipAssetId: `clip-${position}`,
    ...extra,
  });
  it('names what changed in each scene, and scenes added or removed', () => {
    const from = [scene(1), scene(2), scene(3)];
    const to = [
      scene(1),
      scene(2, { text: 'new words', clipAssetId: 'clip-new' }),
      scene(3, { durationSeconds: 5 }),
      scene(4),
    ];
    expect(compareScenes(from, to)).toEqual([
      { position: 1, change: 'same', fields: [], clipChanged: false },
      { position: 2, change: 'edited', fields: ['text'], clipChanged: true },
      { position: 3, change: 'edited', fields: ['durationSeconds'], clipChanged: false },
      { position: 4, change: 'added', fields: [], clipChanged: true },
    ]);
  });
});

describe('the language-model splitter', () => {
  const config = { apiKey: 'k', baseUrl: 'http://llm.test/v1', model: 'm' };
  const answering = (body: unknown, status = 200) =>
    (async () => new Response(JSON.stringify(body), { status })) as typeof fetch;
  const completion = (message: Record<string, unknown>, finish = 'stop') => ({
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
  });
  const input = { script: 'One. Two.', format: 'text' as const, durations: LOCAL };

  it('asks for a strict JSON schema whose durations are the model offers', () => {
    const schema = scenesSchema(LOCAL);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.scenes.items.properties.durationSeconds.enum).toEqual(LOCAL);
  });

  it('takes the scenes of the answer, trimmed and at offered durations', async () => {
    const content = JSON.stringify({
      scenes: [
        { text: ' One. ', durationSeconds: 2 },
        { text: 'Two.', durationSeconds: 7 },
      ],
    });
    const scenes = await splitWithChatModel(config, input, { fetch: answering(completion({ content })) });
    expect(scenes).toEqual([
      { text: 'One.', durationSeconds: 2 },
      { text: 'Two.', durationSeconds: 8 },
    ]);
  });

  it('fails, naming why, on a refusal, a cut-off or malformed answer, or an error status', async () => {
    const fails = (answer: typeof fetch) =>
      splitWithChatModel(config, input, { fetch: answer }).catch((e: unknown) => e);
    const refused = await fails(answering(completion({ content: null, refusal: 'no' })));
    expect(refused).toBeInstanceOf(ProviderError);
    expect((refused as ProviderError).code).toBe('moderation_input');
    expect(String(await fails(answering(completion({ content: '{"scenes":[' }, 'length'))))).toContain(
      'cut off',
    );
    expect(String(await fails(answering(completion({ content: 'Sure!' }))))).toContain('not JSON');
    expect(String(await fails(answering(completion({ content: '{"scenes":"x"}' }))))).toContain('schema');
    expect(((await fails(answering({ error: { message: 'slow down' } }, 429))) as ProviderError).code).toBe(
      'rate_limited',
    );
  });
});
