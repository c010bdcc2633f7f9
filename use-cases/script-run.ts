// Running a script project: the quote covers the whole run (the sum of the scenes it
// renders: new and edited scenes, and retries of failed ones; a scene whose clip is kept
// costs nothing), and a run confirmed with that quote creates, in ONE transaction, the
// revision, a generation job per scene to render and each job's reservation: all of
// them or none (402 when the balance does not cover the whole run). Then the project's
// workflow is told to run it. Safe to retry with the same Idempotency-Key.
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { startScriptRun } from '../clients/script.ts';
import {
  Asset,
  GenerationJob,
  ScriptProject,
  ScriptRevision,
  ScriptRevisionScene,
  type ScriptScene,
} from '../db/entities/index.ts';
import type { ProjectQuote, ProjectView, RunBody } from '../domain/contracts/script.ts';
import { AppError, badRequest, conflict, type FieldProblem } from '../domain/errors.ts';
import { IDEMPOTENCY_KEY_PATTERN, type JobParameters } from '../domain/generation.ts';
import { validateGenerationParameters } from '../domain/generation-parameters.ts';
import { findModel, quoteCredits, type InputRole, type ModelSpec } from '../domain/models.ts';
import { RUN_START_DEADLINE_MS } from '../domain/script.ts';
import { recordAudit } from '../platform/audit.ts';
import { configuredProviders } from '../providers/index.ts';
import { InsufficientCredits, creditBalance, writeLedger } from '../stores/billing.ts';
import { renderKey } from '../stores/script.ts';
import { recordUnstartedStart } from '../stores/unstarted.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { idempotencyKeyMissing } from './generation.ts';
import { processingRestricted } from './retention.ts';
import { ensureEditable } from './script.ts';
import { getProject, nextFor, ownProject, scenesWithJobs } from './script-view.ts';
import { callOrRecord } from './unanswered.ts';

type Creator = Actor & { restrictedAt?: Date | null };

interface PlannedScene {
  scene: ScriptScene;
  next: ProjectQuote['scenes'][number]['next'];
  model: ModelSpec;
  credits: number;
  key: string;
}

interface Plan {
  scenes: PlannedScene[];
  credits: number;
  hash: string;
}

/** How a model takes a scene's reference image. */
function imageRole(model: ModelSpec): InputRole {
  if (model.imageRequired || !model.inputRoles.includes('reference')) return 'first_frame';
  return 'reference';
}

function jobRequestOf(scene: ScriptScene, project: ScriptProject, model: ModelSpec) {
  return {
    modelId: scene.modelId,
    prompt: scene.text,
    durationSeconds: scene.durationSeconds,
    aspectRatio: project.aspectRatio,
    resolution: project.resolution,
    ...(model.seed ? { seed: scene.seed } : {}),
    inputs: scene.imageAssetId ? [{ assetId: scene.imageAssetId, role: imageRole(model) }] : [],
  };
}

/** Every problem of every scene at once, named `scenes.<n>.<field>`; the images the creator's own. */
async function validateScenes(deps: UseCaseDeps, em: EntityManager, actor: Actor, project: ScriptProject) {
  const rows = await scenesWithJobs(em, project.id);
  if (rows.length === 0) throw badRequest('Split the script into scenes first.');
  const offered = new Set(configuredProviders(deps.config.providers));
  const problems: FieldProblem[] = [];
  const planned: PlannedScene[] = [];
  for (const { scene, job, clipAssetId } of rows) {
    const at = `scenes.${scene.position}`;
    const spec = findModel(scene.modelId);
    if (!spec) {
      problems.push({
        field: `${at}.modelId`,
        message: 'That model is not offered. Pick one from the list.',
      });
      continue;
    }
    const checked = validateGenerationParameters(jobRequestOf(scene, project, spec));
    if (!checked.ok) {
      problems.push(...checked.problems.map((p) => ({ field: `${at}.${p.field}`, message: p.message })));
      continue;
    }
    const model = checked.value.model;
    if (!offered.has(model.provider)) {
      problems.push({ field: `${at}.modelId`, message: `${model.label} is not available here.` });
      continue;
    }
    if (scene.imageAssetId) {
      // S-MOD: as for any job, an image the classifier (or a person) cleared, not taken down.
      const image = await em.findOne(Asset, {
        id: scene.imageAssetId,
        user: actor.id,
        kind: 'input',
        status: 'stored',
        moderation: { $in: ['passed', 'approved'] },
        takedownId: null,
      });
      if (!image?.contentType?.startsWith('image/')) {
        problems.push({
          field: `${at}.imageAssetId`,
          message: 'Choose one of your uploaded images that is still stored.',
        });
        continue;
      }
    }
    const next = nextFor(scene, project, job, clipAssetId !== null);
    const credits =
      next === 'kept'
        ? 0
        : quoteCredits(model, { durationSeconds: scene.durationSeconds, resolution: project.resolution });
    planned.push({ scene, next, model, credits, key: renderKey(scene, project) });
  }
  if (problems.length > 0) throw badRequest('Please check the highlighted scenes.', problems);
  return planned;
}

async function planOf(
  deps: UseCaseDeps,
  em: EntityManager,
  actor: Actor,
  project: ScriptProject,
): Promise<Plan> {
  const scenes = await validateScenes(deps, em, actor, project);
  if (project.voiceAssetId) {
    const voice = await em.findOne(Asset, { id: project.voiceAssetId, user: actor.id, status: 'stored' });
    if (!voice) {
      throw badRequest('Your voice recording is no longer stored (uploads are kept 30 days).', [
        { field: 'voiceAssetId', message: 'Upload it again, or remove it to use made speech.' },
      ]);
    }
  }
  const credits = scenes.reduce((sum, s) => sum + s.credits, 0);
  const canonical = JSON.stringify([
    project.id,
    scenes.map((s) => [s.scene.id, s.scene.position, s.key, s.next, s.credits]),
    project.voiceAssetId ?? null,
    project.voiceLanguage,
    project.burnSubtitles,
  ]);
  return { scenes, credits, hash: createHash('sha256').update(canonical).digest('hex').slice(0, 32) };
}

export async function quoteProject(deps: UseCaseDeps, actor: Actor, id: string): Promise<ProjectQuote> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  const plan = await planOf(deps, em, actor, project);
  return {
    credits: plan.credits,
    quoteHash: plan.hash,
    scenes: plan.scenes.map((s) => ({
      position: s.scene.position,
      sceneId: s.scene.id,
      next: s.next,
      credits: s.credits,
    })),
    balance: await creditBalance(em, actor.id),
  };
}

/** Runs the project as quoted; `replayed` when the key had already started this run. */
export async function runProject(
  deps: UseCaseDeps,
  actor: Creator,
  id: string,
  key: string | undefined,
  body: RunBody,
): Promise<{ view: ProjectView; replayed: boolean }> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  if (!key || !IDEMPOTENCY_KEY_PATTERN.test(key)) throw idempotencyKeyMissing();
  if (actor.restrictedAt) throw processingRestricted();
  const earlier = await em.findOne(ScriptRevision, { project: project.id, idempotencyKey: key });
  if (earlier) {
    // The same confirmation again: the run it made, started if it never was.
    if (earlier.status === 'running') await startRun(deps, project, earlier.id);
    return { view: await getProject(deps, actor, project.id), replayed: true };
  }
  ensureEditable(project);
  const plan = await planOf(deps, em, actor, project);
  if (plan.hash !== body.quoteHash) {
    throw conflict('quote_changed', 'The project changed since this quote. Get a new quote.');
  }
  let revisionId: string;
  try {
    revisionId = await createRun(em, actor, project, plan, key);
  } catch (err) {
    if (err instanceof InsufficientCredits) {
      throw new AppError(
        402,
        'insufficient_credits',
        `This run costs ${plan.credits} credits and your balance is ${err.balance}.`,
      );
    }
    const raced = await deps.orm.em
      .fork()
      .findOne(ScriptRevision, { project: project.id, idempotencyKey: key });
    if (raced) return { view: await getProject(deps, actor, project.id), replayed: true };
    throw err;
  }
  await recordAudit(em, {
    action: 'script.run_requested',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'script_project',
    targetId: project.id,
    subjectUserId: actor.id,
    details: { credits: plan.credits, renders: plan.scenes.filter((s) => s.next !== 'kept').length },
  });
  await startRun(deps, project, revisionId);
  return { view: await getProject(deps, actor, project.id), replayed: false };
}

/**
 * Starts the run's workflow, given RUN_START_DEADLINE_MS. When Temporal does not answer,
 * the run stays saved with its credits reserved and is recorded as unstarted: the
 * unstarted sweep starts it once Temporal answers (activities/sweeps/unstarted-script-runs.ts).
 */
async function startRun(deps: UseCaseDeps, project: ScriptProject, revisionId: string): Promise<void> {
  await callOrRecord(deps, {
    deadlineMs: RUN_START_DEADLINE_MS,
    call: () =>
      startScriptRun(deps.temporal.client, { projectId: project.id, userId: project.user }, { revisionId }),
    record: (em, namespace) => recordUnstartedStart(em, 'scriptRun', revisionId, namespace),
    warning: {
      message: 'script run saved, its workflow not started: the sweep starts it',
      context: { revisionId },
    },
  });
}

/**
 * The revision, its scenes, a job and a reservation per scene to render, and the project
 * marked running: together or not at all. The project's status is claimed first, so two
 * confirmations at once cannot both run.
 */
async function createRun(
  em: EntityManager,
  actor: Actor,
  project: ScriptProject,
  plan: Plan,
  key: string,
): Promise<string> {
  return em.transactional(async (tx) => {
    const claimed = await tx.nativeUpdate(
      ScriptProject,
      { id: project.id, status: { $ne: 'running' } },
      { status: 'running', phase: 'rendering', phaseProgress: null, statusMessage: null },
    );
    if (claimed !== 1) throw conflict('project_running', 'This project is already being made.');
    const [last] = await tx.execute<{ n: number | null }[]>(
      'select max(number) as n from script_revisions where project_id = ?',
      [project.id],
    );
    const revisionId = randomUUID();
    tx.create(ScriptRevision, {
      id: revisionId,
      project: project.id,
      number: Number(last?.n ?? 0) + 1,
      idempotencyKey: key,
      creditsQuoted: plan.credits,
      aspectRatio: project.aspectRatio,
      resolution: project.resolution,
      burnSubtitles: project.burnSubtitles,
      recordingAssetId: project.voiceAssetId ?? null,
      voiceLanguage: project.voiceLanguage,
      durationSeconds: plan.scenes.reduce((sum, s) => sum + s.scene.durationSeconds, 0),
    });
    await tx.flush();
    for (const planned of plan.scenes) {
      const render = planned.next !== 'kept';
      const jobId = render ? await createSceneJob(tx, actor, project, planned) : planned.scene.jobId!;
      tx.create(ScriptRevisionScene, {
        revision: revisionId,
        position: planned.scene.position,
        sceneId: planned.scene.id,
        text: planned.scene.text,
        durationSeconds: planned.scene.durationSeconds,
        modelId: planned.scene.modelId,
        imageAssetId: planned.scene.imageAssetId ?? null,
        jobId,
        rendered: render,
      });
    }
    await tx.flush();
    await tx.nativeUpdate(
      ScriptProject,
      { id: project.id },
      { runningRevisionId: revisionId, updatedAt: new Date() },
    );
    return revisionId;
  });
}

/** A scene's generation job, its reservation, and the scene pointing at it. */
async function createSceneJob(
  tx: EntityManager,
  actor: Actor,
  project: ScriptProject,
  planned: PlannedScene,
): Promise<string> {
  const { scene, model } = planned;
  const request = jobRequestOf(scene, project, model);
  const parameters: JobParameters = {
    durationSeconds: scene.durationSeconds,
    aspectRatio: project.aspectRatio,
    resolution: project.resolution,
    seed: scene.seed,
    inputs: request.inputs,
    fallbackAllowed: false,
  };
  const jobId = randomUUID();
  tx.create(GenerationJob, {
    id: jobId,
    user: actor.id,
    requestHash: createHash('sha256').update(JSON.stringify(request)).digest('hex'),
    model: model.id,
    provider: model.provider,
    prompt: scene.text.trim(),
    parameters: parameters as unknown as Record<string, unknown>,
    // Waiting for its turn among the project's scenes; its own workflow moves it on.
    status: 'queued',
    statusChangedAt: new Date(),
    creditsQuoted: planned.credits,
    scriptProjectId: project.id,
    createdAt: new Date(),
  });
  await tx.flush();
  await writeLedger(tx, {
    userId: actor.id,
    kind: 'reserve',
    credits: planned.credits,
    jobId,
    note: `reserved for ${model.id} (script scene ${scene.position})`,
  });
  await tx.execute('update script_scenes set job_id = ?, job_render_key = ? where id = ?', [
    jobId,
    planned.key,
    scene.id,
  ]);
  return jobId;
}
