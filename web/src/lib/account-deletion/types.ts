// What a deletion certificate holds, from its contract (domain/contracts/account-deletion.ts).
export type {
  CertificateContents,
  CertificateList,
  CertificateSummary,
  CertificateView,
  DeletionProofEntry,
  RecipientEntry,
} from '../../../../domain/contracts/account-deletion.ts';
