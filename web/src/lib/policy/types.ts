// The policy API's shapes, from its contract (domain/contracts/policy.ts).
export type { PolicyAccepted, PolicyInfo, PolicyVersionView } from '../../../../domain/contracts/policy.ts';
