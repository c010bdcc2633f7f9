// The direction data flows in, checked on every lint (`npm run lint`):
//   web -> api -> use-cases -> clients (Temporal) and stores -> db, platform
//   worker -> workflows -> activities -> stores -> db, platform
// domain/ is pure and may be imported by anything; workflow code imports only domain/
// and other workflow code (anything else as types only, erased at build).
/** @type {import('dependency-cruiser').IConfiguration} */
const values = { dependencyTypesNot: ['type-only'] };

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other cannot be understood or moved one at a time.',
      from: { pathNot: '^(tests|bench)/' },
      to: { circular: true, viaOnly: values },
    },
    {
      name: 'ffmpeg-libraries-in-the-classifier-only',
      severity: 'error',
      comment:
        "FFmpeg's libraries (node-av, about 50 MiB once loaded) belong in the image classifier's process alone; the API and the worker name its failures through platform/undecodable.ts.",
      from: { pathNot: '^(tests|bench)/|^platform/image-classifier-process[.]ts$' },
      to: { path: '^platform/frames[.]ts$|^node_modules/node-av/', ...values },
    },
    {
      name: 'api-not-to-worker-side',
      severity: 'error',
      comment: 'The API reaches workflows through clients/ and the stores through use-cases/.',
      from: { path: '^api/' },
      to: { path: '^(activities|worker)/' },
    },
    {
      name: 'api-no-workflow-values',
      severity: 'error',
      comment: 'Workflow messages are sent through their client module in clients/.',
      from: { path: '^api/' },
      to: { path: '^workflows/', ...values },
    },
    {
      name: 'use-cases-direction',
      severity: 'error',
      comment: 'Use cases call clients/ and stores/; never the API, the worker side or workflow code.',
      from: { path: '^use-cases/' },
      to: { path: '^(api|activities|worker|web)/' },
    },
    {
      name: 'use-cases-no-workflow-values',
      severity: 'error',
      from: { path: '^use-cases/' },
      to: { path: '^workflows/', ...values },
    },
    {
      name: 'activities-no-workflow-values',
      severity: 'error',
      comment: 'Activities import workflow code as types only; messages go through clients/.',
      from: { path: '^activities/' },
      to: { path: '^workflows/', ...values },
    },
    {
      name: 'activities-not-to-api-side',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: '^(api|use-cases|web)/' },
    },
    {
      name: 'clients-direction',
      severity: 'error',
      comment:
        'A client module starts and messages its workflow: it needs the workflow messages and domain/.',
      from: { path: '^clients/' },
      to: { path: '^(api|use-cases|activities|stores|worker|web)/' },
    },
    {
      name: 'stores-direction',
      severity: 'error',
      comment:
        'Stores are the layer both sides share: db, platform, domain, and the clients of the workflows whose records they keep.',
      from: { path: '^stores/' },
      to: { path: '^(api|use-cases|activities|worker|web)/' },
    },
    {
      name: 'stores-no-workflow-values',
      severity: 'error',
      from: { path: '^stores/' },
      to: { path: '^workflows/', ...values },
    },
    {
      name: 'workflows-deterministic',
      severity: 'error',
      comment: 'Workflow code imports only domain/, other workflow code and the Temporal workflow API.',
      from: { path: '^workflows/' },
      to: {
        pathNot: ['^workflows/', '^domain/', 'node_modules/@temporalio/(workflow|common)/'],
        ...values,
      },
    },
    {
      name: 'domain-pure',
      severity: 'error',
      comment: 'domain/ is pure: safe in workflows and in the site.',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', 'node_modules/(zod|@temporalio/common)/'], ...values },
    },
    {
      name: 'web-only-domain',
      severity: 'error',
      comment: 'The site talks to the API over HTTP; from the rest of the code it shares domain/ only.',
      from: { path: '^web/' },
      to: {
        path: '^(api|use-cases|clients|stores|activities|workflows|worker|db|platform|config|providers)/',
      },
    },
    {
      name: 'production-not-to-tests',
      severity: 'error',
      from: { pathNot: '^(tests|bench)/' },
      to: { path: '^(tests|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.svelte-kit|build|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.svelte'] },
  },
};
