// Every workflow the worker runs. Workflow code imports only domain/ and other workflow code.
export { diagnosticWorkflow } from './diagnostic.ts';
export { assetRetentionWorkflow } from './retention.ts';
export {
  analyticsSweepWorkflow,
  emailLogSweepWorkflow,
  keptRecordSweepWorkflow,
  orphanSweepWorkflow,
  overdueAssetSweepWorkflow,
  paymentRecordSweepWorkflow,
  sessionLogSweepWorkflow,
  supportTicketSweepWorkflow,
  unstartedJobSweepWorkflow,
} from './sweeps.ts';
export { generationWorkflow } from './generation.ts';
export { scriptWorkflow } from './script.ts';
export { dataAccessWorkflow } from './rights-request-export.ts';
export { rightsRequestWorkflow } from './rights-request.ts';
export { accountDeletionWorkflow } from './account-deletion.ts';
export { announcementWorkflow } from './announcement.ts';
export { takedownWorkflow } from './takedown.ts';
export { incidentWorkflow } from './incident.ts';
export { parentalConsentWorkflow } from './parental-consent.ts';
export { subscriptionWorkflow } from './subscription.ts';
