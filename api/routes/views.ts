// How accounts are shown to their owner: never hashes, seeds or internal flags.
import { z } from 'zod';
import { ROLES, ACCOUNT_STATUSES } from '../../domain/accounts.ts';
import type { Session, User } from '../../db/entities/index.ts';

export const preferencesSchema = z
  .object({
    language: z.enum(['en', 'de', 'fr', 'es', 'ja', 'zh']).optional(),
    theme: z.enum(['system', 'light', 'dark']).optional(),
    generationDefaults: z
      .object({
        model: z.string().max(64).optional(),
        durationSeconds: z.number().int().positive().max(60).optional(),
        aspectRatio: z.string().max(16).optional(),
        resolution: z.string().max(16).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Preferences = z.infer<typeof preferencesSchema>;

export const userViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  role: z.enum(ROLES),
  status: z.enum(ACCOUNT_STATUSES),
  mfaEnabled: z.boolean(),
  mfaVerified: z.boolean(),
  restricted: z.boolean(),
  preferences: preferencesSchema,
  createdAt: z.string(),
});

export function userView(user: User, session?: Session) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    emailVerified: user.emailVerifiedAt != null,
    role: user.role,
    status: user.status,
    mfaEnabled: user.mfaEnabledAt != null,
    mfaVerified: session?.mfaVerifiedAt != null,
    restricted: user.restrictedAt != null,
    preferences: preferencesSchema.catch({}).parse(user.preferences),
    createdAt: user.createdAt.toISOString(),
  };
}
