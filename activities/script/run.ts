// A run's beginning and end, each one local activity keyed by the revision id. The plan:
// which scene jobs to render (the API created them, with their reservations, when the
// creator confirmed). The end: scenes never started are ended and refunded, a run that
// made no video deletes at once what nothing will use (R-INTERMEDIATE), and the
// revision and the project record how it ended. Repeating either changes nothing more.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { Asset, GenerationJob, ScriptProject, ScriptRevision } from '../../db/entities/index.ts';
import type { ProviderName } from '../../domain/models.ts';
import { RUN_MESSAGES, STATUS_AFTER_RUN, type RunOutcome } from '../../domain/script.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { deleteAssetSoon } from '../../stores/retention.ts';
import { composedClipIds, loadRevision } from '../../stores/script.ts';
import { createFinishActivities } from '../generation/finish.ts';

export interface SceneRender {
  position: number;
  jobId: string;
  modelId: string;
  provider: ProviderName;
  credits: number;
}

export interface RunPlan {
  /** False when the run already ended (a repeated signal): nothing is to be done. */
  running: boolean;
  renders: SceneRender[];
}

export interface RunEnd {
  revisionId: string;
  outcome: RunOutcome;
  /** Scene jobs the run never started (it was cancelled first): ended and refunded here. */
  unstartedJobIds: string[];
  detail?: string;
}

interface RunDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
}

export function createRunActivities(deps: RunDeps) {
  const { orm } = deps;
  const { finishJob } = createFinishActivities(deps);
  return {
    async beginScriptRun(revisionId: string): Promise<RunPlan> {
      const { revision, scenes } = await loadRevision(orm, revisionId);
      if (revision.status !== 'running') return { running: false, renders: [] };
      const em = orm.em.fork();
      await em.nativeUpdate(
        ScriptProject,
        { id: revision.project, status: 'running' },
        { phase: 'rendering', phaseProgress: null, statusMessage: null },
      );
      const rendered = scenes.filter((s) => s.rendered);
      const jobs = await em.find(GenerationJob, { id: { $in: rendered.map((s) => s.jobId) } });
      const byId = new Map(jobs.map((j) => [j.id, j]));
      return {
        running: true,
        renders: rendered.map((s) => {
          const job = byId.get(s.jobId)!;
          return {
            position: s.position,
            jobId: job.id,
            modelId: job.model,
            provider: job.provider as ProviderName,
            credits: job.creditsQuoted,
          };
        }),
      };
    },

    async finishScriptRun(input: RunEnd): Promise<{ status: string }> {
      const { revision, scenes } = await loadRevision(orm, input.revisionId);
      for (const jobId of input.unstartedJobIds) {
        await finishJob({ jobId, status: 'cancelled', failureCode: 'cancelled' });
      }
      if (input.outcome !== 'composed') await deleteUnused(deps, revision, scenes, input.outcome);
      const em = orm.em.fork();
      const message = input.outcome === 'composed' ? null : RUN_MESSAGES[input.outcome];
      const ended = await em.nativeUpdate(
        ScriptRevision,
        { id: revision.id, finishedAt: null },
        {
          status: input.outcome,
          finishedAt: new Date(),
          message: input.detail && input.outcome === 'failed' ? `${message} (${input.detail})` : message,
        },
      );
      const status = STATUS_AFTER_RUN[input.outcome];
      await em.nativeUpdate(
        ScriptProject,
        { id: revision.project, runningRevisionId: revision.id },
        {
          status,
          phase: null,
          phaseProgress: null,
          statusMessage: message,
          runningRevisionId: null,
          updatedAt: new Date(),
        },
      );
      if (ended === 1) {
        const project = await em.findOneOrFail(ScriptProject, { id: revision.project });
        await recordAudit(em, {
          action: `script.run_${input.outcome}`,
          actorRole: 'system',
          targetType: 'script_project',
          targetId: project.id,
          subjectUserId: project.user,
          details: { revision: revision.number },
        });
      }
      return { status };
    },
  };
}

/**
 * A run that ended without a video: the files it made that no composed revision uses
 * are deleted now, with proof (its clips, its voice track, a final video a cancellation
 * interrupted). The clips it made are kept when the run can be retried (a scene failed,
 * or composing did) so that a retry renders only what is missing; a cancellation keeps
 * nothing of its own. Kept clips still go within 7 days if nothing ever uses them. A
 * store that does not answer does not hold up the run's end: the files' retention
 * workflows delete them once it answers.
 */
async function deleteUnused(
  deps: RunDeps,
  revision: ScriptRevision,
  scenes: { jobId: string; rendered: boolean }[],
  outcome: RunOutcome,
): Promise<void> {
  const em = deps.orm.em.fork();
  const keep = await composedClipIds(em, revision.project);
  const ids: string[] = [];
  if (outcome === 'cancelled') {
    const jobs = await em.find(
      GenerationJob,
      { id: { $in: scenes.filter((s) => s.rendered).map((s) => s.jobId) } },
      { fields: ['outputAssetId', 'status'] },
    );
    for (const job of jobs) {
      if (job.outputAssetId && !keep.has(job.outputAssetId)) ids.push(job.outputAssetId);
    }
  }
  for (const id of [revision.voiceTrackAssetId, revision.subtitlesAssetId, revision.finalAssetId]) {
    if (id) ids.push(id);
  }
  const assets = await em.find(Asset, { id: { $in: ids }, status: { $in: ['pending', 'stored'] } });
  for (const asset of assets) {
    if (!asset.deleteAt) {
      // Never finished storing: nothing but its row and perhaps a partial object.
      await em.nativeUpdate(Asset, { id: asset.id }, { deleteAt: new Date() });
      asset.deleteAt = new Date();
    }
    await deleteAssetSoon(deps, asset, { reason: 'job_finished' });
  }
}
