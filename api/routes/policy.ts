// The versioned privacy policy over HTTP (D-POLICY): its versions and whether I must
// accept the newest, my acceptance (reachable before it, of course), and the legal
// team's publication of a new version.
import {
  acceptPolicyBody,
  policyAccepted,
  policyInfo,
  policyPublished,
  publishPolicyBody,
} from '../../domain/contracts/policy.ts';
import { acceptPolicy, getPolicyInfo, publishPolicyVersion } from '../../use-cases/policy.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

export const policyRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/privacy/policy',
    summary: 'The privacy policy versions, newest first, and whether I must accept the newest',
    tags: ['privacy'],
    access: 'public',
    response: policyInfo,
    handler: ({ deps, req }) => getPolicyInfo(deps, req.auth?.user ?? null),
  }),

  defineRoute({
    method: 'post',
    path: '/api/privacy/policy/accept',
    summary: 'Accept the current privacy policy (needed after a change that requires consent)',
    tags: ['privacy'],
    access: 'signed-in',
    policyExempt: true,
    body: acceptPolicyBody,
    response: policyAccepted,
    handler: ({ deps, body, req }) => acceptPolicy(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/legal/policy-versions',
    summary:
      'Publish a privacy policy version; a material change is emailed to every user (while part of the platform does not answer, the version is published and its email starts once it answers: `announcementKept`), and one that needs consent must be accepted before further use',
    tags: ['legal'],
    access: ['legal', 'admin'],
    status: 201,
    body: publishPolicyBody,
    response: policyPublished,
    errors: [{ status: 409, code: 'version_exists', when: 'this version is already published' }],
    handler: ({ deps, body, req }) => publishPolicyVersion(deps, caller(req).user, body),
  }),
];
