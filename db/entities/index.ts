export { User } from './User.ts';
export { Session } from './Session.ts';
export { Asset } from './Asset.ts';
export { GenerationJob } from './GenerationJob.ts';
export { CreditLedgerEntry } from './CreditLedgerEntry.ts';
export { RightsRequest } from './RightsRequest.ts';
export { LegalHold } from './LegalHold.ts';
export { Consent } from './Consent.ts';
export { AuditEvent } from './AuditEvent.ts';
export { AuditChainHead } from './AuditChainHead.ts';
export { DiagnosticCheck } from './DiagnosticCheck.ts';
export { AccountToken } from './AccountToken.ts';
export { MfaRecoveryCode } from './MfaRecoveryCode.ts';
export { RateLimitBucket } from './RateLimitBucket.ts';
export { SignInFailure } from './SignInFailure.ts';
export { ProviderHealth } from './ProviderHealth.ts';
export { PriceQuote } from './PriceQuote.ts';
export { StripeEvent } from './StripeEvent.ts';
export { Payment } from './Payment.ts';
export { AnalyticsEvent } from './AnalyticsEvent.ts';
export { DeletionProof } from './DeletionProof.ts';
export { DataRecipient } from './DataRecipient.ts';
export { DeletionCertificate } from './DeletionCertificate.ts';
export { PolicyVersion } from './PolicyVersion.ts';
export { EmailLog } from './EmailLog.ts';
export { MarketingCampaign } from './MarketingCampaign.ts';
export { UnstartedJob } from './UnstartedJob.ts';
export { UnstartedScriptRun } from './UnstartedScriptRun.ts';
export { UnstartedRetention } from './UnstartedRetention.ts';
export { UnstartedRightsRequest } from './UnstartedRightsRequest.ts';
export { UnstartedTakedown } from './UnstartedTakedown.ts';
export { UnstartedIncident } from './UnstartedIncident.ts';
export { UnstartedPolicyAnnouncement } from './UnstartedPolicyAnnouncement.ts';
export { UnstartedMarketingCampaign } from './UnstartedMarketingCampaign.ts';
export { UnstartedParentalConsent } from './UnstartedParentalConsent.ts';
export { UntoldSignal } from './UntoldSignal.ts';
export { UntoldSubscriptionEvent } from './UntoldSubscriptionEvent.ts';
export { AnalyticsDailyTotal } from './AnalyticsDailyTotal.ts';
export { ModerationReview } from './ModerationReview.ts';
export { TakedownRequest, type TakedownRemoval } from './TakedownRequest.ts';
export { Incident } from './Incident.ts';
export { IncidentNotice } from './IncidentNotice.ts';
export { Subscription } from './Subscription.ts';
export { Invoice } from './Invoice.ts';
export { BillingTotal } from './BillingTotal.ts';
export { SupportTicket } from './SupportTicket.ts';
export { SupportMessage } from './SupportMessage.ts';
export { ScriptProject } from './ScriptProject.ts';
export { ScriptScene } from './ScriptScene.ts';
export { ScriptRevision } from './ScriptRevision.ts';
export { ScriptRevisionScene } from './ScriptRevisionScene.ts';

import { User } from './User.ts';
import { Session } from './Session.ts';
import { Asset } from './Asset.ts';
import { GenerationJob } from './GenerationJob.ts';
import { CreditLedgerEntry } from './CreditLedgerEntry.ts';
import { RightsRequest } from './RightsRequest.ts';
import { LegalHold } from './LegalHold.ts';
import { Consent } from './Consent.ts';
import { AuditEvent } from './AuditEvent.ts';
import { AuditChainHead } from './AuditChainHead.ts';
import { DiagnosticCheck } from './DiagnosticCheck.ts';
import { AccountToken } from './AccountToken.ts';
import { MfaRecoveryCode } from './MfaRecoveryCode.ts';
import { RateLimitBucket } from './RateLimitBucket.ts';
import { SignInFailure } from './SignInFailure.ts';
import { ProviderHealth } from './ProviderHealth.ts';
import { PriceQuote } from './PriceQuote.ts';
import { StripeEvent } from './StripeEvent.ts';
import { Payment } from './Payment.ts';
import { AnalyticsEvent } from './AnalyticsEvent.ts';
import { DeletionProof } from './DeletionProof.ts';
import { DataRecipient } from './DataRecipient.ts';
import { DeletionCertificate } from './DeletionCertificate.ts';
import { PolicyVersion } from './PolicyVersion.ts';
import { EmailLog } from './EmailLog.ts';
import { MarketingCampaign } from './MarketingCampaign.ts';
import { UnstartedJob } from './UnstartedJob.ts';
import { UnstartedScriptRun } from './UnstartedScriptRun.ts';
import { UnstartedRetention } from './UnstartedRetention.ts';
import { UnstartedRightsRequest } from './UnstartedRightsRequest.ts';
import { UnstartedTakedown } from './UnstartedTakedown.ts';
import { UnstartedIncident } from './UnstartedIncident.ts';
import { UnstartedPolicyAnnouncement } from './UnstartedPolicyAnnouncement.ts';
import { UnstartedMarketingCampaign } from './UnstartedMarketingCampaign.ts';
import { UnstartedParentalConsent } from './UnstartedParentalConsent.ts';
import { UntoldSignal } from './UntoldSignal.ts';
import { UntoldSubscriptionEvent } from './UntoldSubscriptionEvent.ts';
import { AnalyticsDailyTotal } from './AnalyticsDailyTotal.ts';
import { ModerationReview } from './ModerationReview.ts';
import { TakedownRequest } from './TakedownRequest.ts';
import { Incident } from './Incident.ts';
import { IncidentNotice } from './IncidentNotice.ts';
import { Subscription } from './Subscription.ts';
import { Invoice } from './Invoice.ts';
import { BillingTotal } from './BillingTotal.ts';
import { SupportTicket } from './SupportTicket.ts';
import { SupportMessage } from './SupportMessage.ts';
import { ScriptProject } from './ScriptProject.ts';
import { ScriptScene } from './ScriptScene.ts';
import { ScriptRevision } from './ScriptRevision.ts';
import { ScriptRevisionScene } from './ScriptRevisionScene.ts';

export const entities = [
  User,
  Session,
  Asset,
  GenerationJob,
  CreditLedgerEntry,
  RightsRequest,
  LegalHold,
  Consent,
  AuditEvent,
  AuditChainHead,
  DiagnosticCheck,
  AccountToken,
  MfaRecoveryCode,
  RateLimitBucket,
  SignInFailure,
  ProviderHealth,
  PriceQuote,
  StripeEvent,
  Payment,
  AnalyticsEvent,
  DeletionProof,
  DataRecipient,
  DeletionCertificate,
  PolicyVersion,
  EmailLog,
  MarketingCampaign,
  AnalyticsDailyTotal,
  ModerationReview,
  TakedownRequest,
  Incident,
  IncidentNotice,
  Subscription,
  Invoice,
  BillingTotal,
  SupportTicket,
  SupportMessage,
  ScriptProject,
  ScriptScene,
  ScriptRevision,
  ScriptRevisionScene,
  UnstartedJob,
  UnstartedScriptRun,
  UnstartedRetention,
  UnstartedRightsRequest,
  UnstartedTakedown,
  UnstartedIncident,
  UnstartedPolicyAnnouncement,
  UnstartedMarketingCampaign,
  UnstartedParentalConsent,
  UntoldSignal,
  UntoldSubscriptionEvent,
];
