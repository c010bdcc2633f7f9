// Script projects over HTTP: a script written or uploaded (.txt/.srt, read from its
// bytes), split into scenes (built-in, or a language model when configured), scenes
// edited, the whole run quoted and confirmed (Idempotency-Key), its live view (JSON,
// and server-sent events pushed as PostgreSQL announces each change), cancellation, and
// the revisions with their comparison. Every read comes from PostgreSQL.
import { z } from 'zod';
import {
  compareQuery,
  createScriptBody,
  patchSceneBody,
  projectListQuery,
  projectPage,
  projectQuote,
  projectView,
  replaceScenesBody,
  revisionComparison,
  revisionList,
  revisionView,
  runBody,
  scriptFile,
  scriptFileUpload,
  splitBody,
  updateScriptBody,
} from '../../domain/contracts/script.ts';
import { MAX_SCRIPT_FILE_BYTES } from '../../domain/script.ts';
import {
  createProject,
  patchScene,
  readScript,
  replaceScenes,
  splitProject,
  updateProject,
} from '../../use-cases/script.ts';
import { cancelProject } from '../../use-cases/script-cancel.ts';
import { quoteProject, runProject } from '../../use-cases/script-run.ts';
import {
  compareRevisions,
  getProject,
  getRevision,
  listProjects,
  listRevisions,
  watchProject,
} from '../../use-cases/script-view.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';
import { serverSentEvents } from '../sse.ts';
import { checkUploadRequest, readSmallUpload } from '../uploads.ts';

const idParams = z.object({ id: z.uuid() });
const sceneParams = z.object({ id: z.uuid(), sceneId: z.uuid() });
const revisionParams = z.object({ id: z.uuid(), number: z.coerce.number().int().min(1) });
const tags = ['script'];

export const scriptRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/scripts/files',
    summary:
      'Read an uploaded script (.txt or .srt, multipart, one file): its text and format, judged by its bytes; nothing is stored',
    tags,
    access: 'verified',
    rateLimit: 'upload',
    bodyType: 'multipart',
    body: scriptFileUpload,
    response: scriptFile,
    errors: [
      { status: 400, code: 'upload_interrupted', when: 'the upload stopped before its end' },
      { status: 413, code: 'file_too_large', when: 'the file is over the script file limit' },
      { status: 415, code: 'unsupported_script_file', when: 'the bytes are not a .txt or .srt script' },
      { status: 415, code: 'multipart_required', when: 'the body is not multipart/form-data' },
    ],
    handler: async ({ req }) => {
      checkUploadRequest(req);
      return readScript(await readSmallUpload(req, MAX_SCRIPT_FILE_BYTES));
    },
  }),

  defineRoute({
    method: 'post',
    path: '/api/scripts',
    summary: 'Create a script project; its script is split into scenes by the built-in splitter',
    tags,
    access: 'verified',
    body: createScriptBody,
    status: 201,
    response: projectView,
    handler: ({ deps, body, req }) => createProject(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/scripts',
    summary: 'My script projects, most recently changed first',
    tags,
    access: 'signed-in',
    query: projectListQuery,
    response: projectPage,
    handler: ({ deps, query, req }) => listProjects(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/scripts/:id',
    summary: 'One of my projects: its scenes with their live progress, and its newest video',
    tags,
    access: 'signed-in',
    params: idParams,
    response: projectView,
    handler: ({ deps, params, req }) => getProject(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'patch',
    path: '/api/scripts/:id',
    summary: 'Change the script or the settings (voice recording, frame, subtitles) of a project not running',
    tags,
    access: 'verified',
    params: idParams,
    body: updateScriptBody,
    response: projectView,
    handler: ({ deps, params, body, req }) => updateProject(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/scripts/:id/split',
    summary: 'Split the script into scenes again (built-in splitter, or a language model when offered)',
    tags,
    access: 'verified',
    params: idParams,
    body: splitBody,
    response: projectView,
    handler: ({ deps, params, body, req }) => splitProject(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'put',
    path: '/api/scripts/:id/scenes',
    summary:
      'Arrange the scenes: edit, add, remove, reorder (a scene keeps its clip while what makes it is unchanged)',
    tags,
    access: 'verified',
    params: idParams,
    body: replaceScenesBody,
    response: projectView,
    handler: ({ deps, params, body, req }) => replaceScenes(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'patch',
    path: '/api/scripts/:id/scenes/:sceneId',
    summary: "Edit one scene's text, duration, model or reference image",
    tags,
    access: 'verified',
    params: sceneParams,
    body: patchSceneBody,
    response: projectView,
    handler: ({ deps, params, body, req }) =>
      patchScene(deps, caller(req).user, params.id, params.sceneId, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/scripts/:id/quote',
    summary: 'The price of the next run: the sum of the scenes it renders (kept clips cost nothing)',
    tags,
    access: 'verified',
    params: idParams,
    response: projectQuote,
    handler: ({ deps, params, req }) => quoteProject(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'post',
    path: '/api/scripts/:id/runs',
    summary:
      'Run the project as quoted (needs an Idempotency-Key header): every scene job and its credits reserved at once, then rendered and composed',
    tags,
    access: 'verified',
    rateLimit: 'generation',
    params: idParams,
    body: runBody,
    status: 201,
    response: projectView,
    handler: async ({ deps, params, body, req, res }) => {
      const run = await runProject(deps, caller(req).user, params.id, req.get('idempotency-key'), body);
      if (run.replayed) res.locals.status = 200;
      return run.view;
    },
  }),

  defineRoute({
    method: 'post',
    path: '/api/scripts/:id/cancel',
    summary:
      'Cancel the running run: running scenes are cancelled and refunded, no more start; answers once the run ended, or, while part of the platform does not answer, with the project as it stands and `cancelRequestedAt` set (the cancel is made once it answers)',
    tags,
    access: 'signed-in',
    params: idParams,
    response: projectView,
    handler: ({ deps, params, req }) => cancelProject(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'get',
    path: '/api/scripts/:id/events',
    summary:
      'Live progress of the project and each scene as server-sent events (`progress`, the project view)',
    tags,
    access: 'signed-in',
    params: idParams,
    handler: ({ deps, params, req, res }) =>
      serverSentEvents(req, res, (send, signal) =>
        watchProject(deps, caller(req).user, params.id, (view) => send('progress', view), signal),
      ),
  }),

  defineRoute({
    method: 'get',
    path: '/api/scripts/:id/revisions',
    summary: 'Every run of the project, newest first, with its video, subtitles and voice track',
    tags,
    access: 'signed-in',
    params: idParams,
    response: revisionList,
    handler: ({ deps, params, req }) => listRevisions(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'get',
    path: '/api/scripts/:id/revisions/:number',
    summary: 'One revision: its scenes as they were, and the files it made',
    tags,
    access: 'signed-in',
    params: revisionParams,
    response: revisionView,
    handler: ({ deps, params, req }) => getRevision(deps, caller(req).user, params.id, params.number),
  }),

  defineRoute({
    method: 'get',
    path: '/api/scripts/:id/compare',
    summary: 'What changed, scene by scene, between two revisions',
    tags,
    access: 'signed-in',
    params: idParams,
    query: compareQuery,
    response: revisionComparison,
    handler: ({ deps, params, query, req }) => compareRevisions(deps, caller(req).user, params.id, query),
  }),
];
