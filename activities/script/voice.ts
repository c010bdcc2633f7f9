// The voice track of a revision, an intermediate asset (R-INTERMEDIATE) as long as the
// video: the creator's recording (an upload, R-IN-30D) transcoded to AAC, padded with
// silence or cut to the video's length; or, without one, speech made on the box by
// espeak-ng, each scene's words said within its own time (faster when they would not
// fit), silence between. Heartbeats while it works; a retry writes the same asset.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { Asset, ScriptProject, ScriptRevision } from '../../db/entities/index.ts';
import {
  MAX_SPEECH_RATE_WPM,
  SCRIPT_FAILURE_TYPES,
  SPEECH_RATE_WPM,
  sceneTimeline,
} from '../../domain/script.ts';
import { Context } from '@temporalio/activity';
import { derivedAssetId, loadRevision } from '../../stores/script.ts';
import { heartbeat } from '../heartbeat.ts';
import { storing } from '../storing.ts';
import { mediaTries, storeFile, storedAsset, type FileDeps } from './files.ts';
import { downloadObject, runFfmpeg, speak } from './media.ts';

/** AAC at 96 kb/s is plenty for a voice, mono; a recording and made speech end up alike. */
const VOICE_ENCODING = ['-ac', '1', '-c:a', 'aac', '-b:a', '96k'];

export interface VoiceDeps extends FileDeps {
  /** The espeak-ng binary (config.espeakPath). */
  espeakPath: string;
}

const cancellation = (): AbortSignal | undefined => {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
};

export function createVoiceActivities(deps: VoiceDeps) {
  return {
    async makeVoiceTrack(input: { revisionId: string }): Promise<{ assetId: string }> {
      return storing(mediaTries(deps.config), () => makeVoiceTrack(deps, input.revisionId));
    },
  };
}

async function makeVoiceTrack(deps: VoiceDeps, revisionId: string): Promise<{ assetId: string }> {
  const { revision, project, scenes } = await loadRevision(deps.orm, revisionId);
  const assetId = derivedAssetId('voice', revision.id);
  const em = deps.orm.em.fork();
  await em.nativeUpdate(
    ScriptProject,
    { id: project.id, status: 'running' },
    { phase: 'voicing', phaseProgress: null },
  );
  if (!(await storedAsset(deps.orm, assetId))) {
    const dir = await deps.scratch.folder('voice-');
    try {
      const file = path.join(dir, 'voice.m4a');
      const durations = scenes.map((s) => s.durationSeconds);
      if (revision.recordingAssetId) {
        await transcodeRecording(deps, revision.recordingAssetId, project.user, durations, dir, file);
      } else {
        await synthesize(deps, revision.voiceLanguage, scenes, dir, file);
      }
      await storeFile(deps, {
        assetId,
        userId: project.user,
        kind: 'intermediate',
        file,
        contentType: 'audio/mp4',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  await em.nativeUpdate(ScriptRevision, { id: revision.id }, { voiceTrackAssetId: assetId });
  return { assetId };
}

async function transcodeRecording(
  deps: VoiceDeps,
  recordingId: string,
  userId: string,
  durations: number[],
  dir: string,
  file: string,
): Promise<void> {
  const recording = await deps.orm.em.fork().findOne(Asset, { id: recordingId, user: userId });
  if (recording?.status !== 'stored') {
    throw ApplicationFailure.nonRetryable(
      'the voice recording is no longer stored (uploads are kept 30 days): upload it again, or remove it to use made speech',
      SCRIPT_FAILURE_TYPES.voiceUnavailable,
    );
  }
  const source = path.join(dir, 'recording');
  await downloadObject(deps.store, recording.objectKey, source);
  const total = durations.reduce((a, b) => a + b, 0);
  await runFfmpeg(['-i', source, '-vn', '-af', 'apad', '-t', String(total), ...VOICE_ENCODING, file], {
    ffmpegPath: deps.config.ffmpegPath,
    totalSeconds: total,
    signal: cancellation(),
    onProgress: (fraction) => heartbeat({ fraction }),
  });
}

/** Each scene said in its own time: the words at the usual pace, faster when they would not fit. */
async function synthesize(
  deps: VoiceDeps,
  voice: string,
  scenes: { text: string; durationSeconds: number }[],
  dir: string,
  file: string,
): Promise<void> {
  const signal = cancellation();
  const inputs: string[] = [];
  const filters: string[] = [];
  for (const [i, scene] of scenes.entries()) {
    const wav = path.join(dir, `scene-${i}.wav`);
    const options = { espeakPath: deps.espeakPath, voice, wordsPerMinute: SPEECH_RATE_WPM, signal };
    const seconds = await speak(scene.text, wav, options);
    const room = scene.durationSeconds * 0.95;
    if (seconds > room) {
      const faster = Math.min(MAX_SPEECH_RATE_WPM, Math.ceil((SPEECH_RATE_WPM * seconds) / room));
      await speak(scene.text, wav, { ...options, wordsPerMinute: faster });
    }
    heartbeat({ spoken: i + 1 });
    inputs.push('-i', wav);
    // Padded with silence, then cut: each scene's speech fills exactly its scene.
    filters.push(`[${i}:a]apad,atrim=duration=${scene.durationSeconds},asetpts=PTS-STARTPTS[a${i}]`);
  }
  const joined = scenes.map((_, i) => `[a${i}]`).join('');
  const total = sceneTimeline(scenes.map((s) => s.durationSeconds)).at(-1)?.end ?? 0;
  await runFfmpeg(
    [
      ...inputs,
      '-filter_complex',
      `${filters.join(';')};${joined}concat=n=${scenes.length}:v=0:a=1[voice]`,
      '-map',
      '[voice]',
      ...VOICE_ENCODING,
      file,
    ],
    { ffmpegPath: deps.config.ffmpegPath, totalSeconds: total, signal, onProgress: (f) => heartbeat({ f }) },
  );
}
