// Staff accounts run by operators from the command line (scripts/admin.ts): the first
// admin, further staff, role changes and the staff list. There is no sign-up for staff:
// an operator with database access creates the account, already verified and without a
// usable password, and hands the person a one-time enrolment link. The person chooses a
// password on the site's password page and, because staff access needs two-factor
// authentication (S-MFA), turns it on before any staff route answers. Every change and
// every listing is in the audit log (S-AUDIT). Each command is safe to run again.
import type { MikroORM } from '@mikro-orm/postgresql';
import { z } from 'zod';
import {
  EMAIL_MAX_LENGTH,
  NAME_MAX_LENGTH,
  ROLES,
  STAFF_ROLES,
  TOKEN_TTL_MS,
  type Role,
} from '../domain/accounts.ts';
import { AccountToken, User } from '../db/entities/index.ts';
import { recordAudit } from '../platform/audit.ts';
import { MFA_SEED_PURPOSE, issueToken, revokeTokens } from '../stores/accounts-credentials.ts';
import { seal, unseal } from '../platform/crypto.ts';
import { revokeAllSessions } from '../stores/accounts.ts';
import type { Config } from '../config/index.ts';

export interface StaffDeps {
  orm: MikroORM;
  config: Pick<Config, 'web' | 'sessionSecret'>;
}

/** Why a command was refused: `usage` for bad input, `refused` for a state that forbids it. */
export class StaffCommandError extends Error {
  override name = 'StaffCommandError';
  readonly kind: 'usage' | 'refused';
  constructor(kind: 'usage' | 'refused', message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Events written by these commands carry this actor: the operator's shell, not an account. */
const CLI_ACTOR = { actorId: null, actorRole: 'cli' } as const;

const emailSchema = z.string().trim().toLowerCase().max(EMAIL_MAX_LENGTH).pipe(z.email());
const nameSchema = z.string().trim().min(1).max(NAME_MAX_LENGTH);

export function parseEmail(value: string | undefined): string {
  const parsed = emailSchema.safeParse(value ?? '');
  if (!parsed.success) throw new StaffCommandError('usage', `"${value ?? ''}" is not an email address.`);
  return parsed.data;
}

export function parseName(value: string | undefined): string {
  const parsed = nameSchema.safeParse(value ?? '');
  if (!parsed.success)
    throw new StaffCommandError('usage', `Give the person's name (1 to ${NAME_MAX_LENGTH} characters).`);
  return parsed.data;
}

export type StaffRole = Exclude<Role, 'creator'>;

export function parseStaffRole(value: string | undefined): StaffRole {
  const role = value?.trim().toLowerCase();
  if (!role || !(STAFF_ROLES as readonly string[]).includes(role)) {
    throw new StaffCommandError(
      'usage',
      `"${value ?? ''}" is not a staff role; use one of ${STAFF_ROLES.join(', ')}.`,
    );
  }
  return role as StaffRole;
}

/**
 * The role for `set-roles`: an account holds exactly one role (least privilege, S-RBAC),
 * and `admin` already reaches every staff route, so a list must name one role.
 * `creator` takes staff access away.
 */
export function parseRoleList(value: string | undefined): Role {
  const roles = [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((r) => r.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) {
    throw new StaffCommandError(
      'usage',
      `${unknown.length ? `Unknown role "${unknown.join('", "')}"` : 'No role given'}; use one of ${ROLES.join(', ')}.`,
    );
  }
  if (roles.length > 1) {
    throw new StaffCommandError(
      'usage',
      `An account holds one role, not ${roles.length} (${roles.join(', ')}). ` +
        'Give the one it needs: admin already reaches every staff route that support, legal and operator reach.',
    );
  }
  return roles[0] as Role;
}

/** What an admin needs to see of a staff account: no secrets, no other personal data. */
export interface StaffSummary {
  id: string;
  email: string;
  role: Role;
  status: User['status'];
  /** A password was chosen through the enrolment link (or the account had one). */
  passwordSet: boolean;
  mfaEnabled: boolean;
  createdAt: Date;
}

const summary = (user: User): StaffSummary => ({
  id: user.id,
  email: user.email,
  role: user.role,
  status: user.status,
  passwordSet: user.passwordHash != null,
  mfaEnabled: user.mfaEnabledAt != null,
  createdAt: user.createdAt,
});

export type CreateStaffResult =
  | {
      outcome: 'created' | 'link_reissued';
      account: StaffSummary;
      /**
       * The one-time enrolment link. It is a credential: the command prints it to the
       * operator who ran it, to hand to the person; nothing else may log or store it.
       */
      enrolmentLink: string;
      expiresAt: Date;
    }
  | { outcome: 'already_enrolled'; account: StaffSummary };

/**
 * Creates a verified staff account with no password and returns its enrolment link.
 * Run again for an account that has not chosen its password yet, it issues a new link
 * (the earlier one stops working); for an enrolled account it changes nothing.
 */
export async function createStaffAccount(
  deps: StaffDeps,
  input: { email: string; name: string; role: StaffRole },
): Promise<CreateStaffResult> {
  const em = deps.orm.em.fork();
  const email = parseEmail(input.email);
  const name = parseName(input.name);
  const role = parseStaffRole(input.role);
  let user = await em.findOne(User, { email });
  let outcome: 'created' | 'link_reissued' = 'created';
  if (user) {
    if (user.role !== role) {
      throw new StaffCommandError(
        'refused',
        `An account with ${email} already exists with role ${user.role}; ` +
          `change its role with: npm run admin -- set-roles --email ${email} --roles ${role}`,
      );
    }
    if (user.status !== 'active') {
      throw new StaffCommandError(
        'refused',
        `The account with ${email} is ${user.status.replaceAll('_', ' ')}; it cannot be enrolled.`,
      );
    }
    if (user.passwordHash) return { outcome: 'already_enrolled', account: summary(user) };
    outcome = 'link_reissued';
  } else {
    const now = new Date();
    user = em.create(User, {
      email,
      name,
      passwordHash: null,
      // The operator vouches for the address; the link reaches the person through them.
      emailVerifiedAt: now,
      dateOfBirth: null,
      role,
      status: 'active',
      preferences: {},
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    await recordAudit(em, {
      action: 'staff.account_created',
      ...CLI_ACTOR,
      targetType: 'user',
      targetId: user.id,
      subjectUserId: user.id,
      details: { role, via: 'cli' },
    });
  }
  await revokeTokens(em, user.id, 'staff_enrolment');
  const token = await issueToken(em, user.id, 'staff_enrolment', email);
  const issued = await em.findOneOrFail(
    AccountToken,
    { user: user.id, purpose: 'staff_enrolment', usedAt: null },
    { orderBy: { createdAt: 'desc' } },
  );
  await recordAudit(em, {
    action: 'staff.enrolment_link_issued',
    ...CLI_ACTOR,
    targetType: 'user',
    targetId: user.id,
    subjectUserId: user.id,
    details: { reissued: outcome === 'link_reissued', validForMs: TOKEN_TTL_MS.staff_enrolment },
  });
  return {
    outcome,
    account: summary(user),
    enrolmentLink: `${deps.config.web.publicUrl}/reset-password?token=${encodeURIComponent(token)}`,
    expiresAt: issued.expiresAt,
  };
}

export interface SetRoleResult {
  outcome: 'changed' | 'unchanged';
  account: StaffSummary;
  from: Role;
  /** Sessions ended so the new role applies at the next sign-in. */
  revokedSessions: number;
}

/**
 * Gives an account one role. A change ends the account's sessions (as the admin API
 * does); setting the role it already has changes nothing. The last active admin keeps
 * the role, so the platform is never left without one.
 */
export async function setStaffRole(
  deps: StaffDeps,
  input: { email: string; role: Role; reason?: string },
): Promise<SetRoleResult> {
  const em = deps.orm.em.fork();
  const email = parseEmail(input.email);
  const user = await em.findOne(User, { email, status: { $ne: 'deleted' } });
  if (!user) throw new StaffCommandError('refused', `No account uses ${email}.`);
  const from = user.role;
  if (from === input.role) return { outcome: 'unchanged', account: summary(user), from, revokedSessions: 0 };
  if (from === 'admin') {
    const otherAdmins = await em.count(User, { role: 'admin', status: 'active', id: { $ne: user.id } });
    if (otherAdmins === 0) {
      throw new StaffCommandError(
        'refused',
        `${email} is the only active admin; make another admin first (create-admin), then change this one.`,
      );
    }
  }
  user.role = input.role;
  user.updatedAt = new Date();
  await em.flush();
  const revokedSessions = await revokeAllSessions(em, user.id);
  await recordAudit(em, {
    action: 'staff.role_changed',
    ...CLI_ACTOR,
    targetType: 'user',
    targetId: user.id,
    subjectUserId: user.id,
    details: {
      from,
      to: input.role,
      via: 'cli',
      revokedSessions,
      ...(input.reason ? { reason: input.reason } : {}),
    },
  });
  return { outcome: 'changed', account: summary(user), from, revokedSessions };
}

/** Every staff account that is not deleted, by role then address; the listing is audited. */
export async function listStaff(deps: StaffDeps): Promise<StaffSummary[]> {
  const em = deps.orm.em.fork();
  const users = await em.find(
    User,
    { role: { $in: [...STAFF_ROLES] }, status: { $ne: 'deleted' } },
    { orderBy: { role: 'asc', email: 'asc' } },
  );
  await recordAudit(em, {
    action: 'staff.listed',
    ...CLI_ACTOR,
    details: { count: users.length, via: 'cli' },
  });
  return users.map(summary);
}

/**
 * After SESSION_SECRET changes, seals every two-factor seed again under the new secret
 * (seeds are encrypted with a key derived from it, api/auth/mfa.ts), so nobody has to
 * enrol again. Seeds already readable with the new secret are left as they are, so it is
 * safe to run twice; a seed neither secret opens is counted and left for its owner to
 * reset with a recovery code.
 */
export async function resealMfaSeeds(
  deps: StaffDeps,
  input: { oldSecret: string },
): Promise<{ resealed: number; alreadyCurrent: number; unreadable: number }> {
  const newSecret = deps.config.sessionSecret;
  if (input.oldSecret === newSecret) {
    throw new StaffCommandError('usage', 'The old secret is the current SESSION_SECRET: nothing to re-seal.');
  }
  const em = deps.orm.em.fork();
  const users = await em.find(User, { mfaSecret: { $ne: null } }, { fields: ['id', 'mfaSecret'] });
  const opens = (secret: string, sealed: string) => {
    try {
      return unseal(secret, MFA_SEED_PURPOSE, sealed);
    } catch {
      return undefined;
    }
  };
  const counts = { resealed: 0, alreadyCurrent: 0, unreadable: 0 };
  for (const user of users) {
    const sealed = user.mfaSecret!;
    if (opens(newSecret, sealed) !== undefined) {
      counts.alreadyCurrent++;
      continue;
    }
    const seed = opens(input.oldSecret, sealed);
    if (seed === undefined) {
      counts.unreadable++;
      continue;
    }
    // Conditional on the old value: a seed changed meanwhile (re-enrolment) is not overwritten.
    counts.resealed += await em.nativeUpdate(
      User,
      { id: user.id, mfaSecret: sealed },
      { mfaSecret: seal(newSecret, MFA_SEED_PURPOSE, seed) },
    );
  }
  await recordAudit(em, {
    action: 'staff.mfa_seeds_resealed',
    ...CLI_ACTOR,
    details: { ...counts, via: 'cli' },
  });
  return counts;
}
