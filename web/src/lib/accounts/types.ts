// The accounts API's shapes, as the API validates and documents them: one contract
// (domain/contracts/accounts.ts), its types inferred from the same schemas.
export { LANGUAGES, THEMES, type Language, type Theme } from '../../../../domain/accounts.ts';
export type {
  Accepted,
  GenerationDefaults,
  GoogleCompleteBody,
  MfaEnabled,
  MfaProof,
  MfaSetup,
  Preferences,
  Providers,
  SessionAnswer,
  SessionInfo,
  SignUpBody,
  User,
} from '../../../../domain/contracts/accounts.ts';
