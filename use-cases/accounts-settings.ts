// An account once it exists: what its owner changes (name and address they correct
// themselves, D-RECTIFY; preferences; password; where they are signed in; two-factor
// authentication, S-MFA) and what staff look up and change (S-RBAC: every look at a
// person's account is audited; only an admin changes a role, and the person's sessions
// end; support stops an under-age account, D-MINOR). Every change is audited (S-AUDIT).
import { Session, User } from '../db/entities/index.ts';
import type {
  AccountChange,
  Accepted,
  AuditVerification,
  MfaCode,
  MfaProof,
  MfaSetup,
  PasswordChange,
  Preferences,
  RoleChange,
  SessionList,
  StaffUserQuery,
  StatusAnswer,
  User as UserView,
  UserList,
} from '../domain/contracts/accounts.ts';
import { AppError, conflict, notFound } from '../domain/errors.ts';
import { recordAudit, recordAudits, verifyAuditChain, type AuditInput } from '../platform/audit.ts';
import { hashPassword, verifyPassword } from '../platform/passwords.ts';
import {
  createSession,
  liveSessions,
  revokeAllSessions,
  revokeSession,
  type LiveSession,
  type SessionOrigin,
  type StartedSession,
} from '../stores/accounts.ts';
import {
  checkMfaProof,
  issueRecoveryCodes,
  newMfaSeed,
  otpauthUrl,
  removeMfa,
  verifyTotp,
} from '../stores/accounts-credentials.ts';
import { reverifyEmail, userView } from './accounts.ts';
import type { Actor, UseCaseDeps } from './deps.ts';

const wrongCode = (message = 'That code is not right. Try the newest code from your app.') =>
  new AppError(401, 'invalid_code', message);

/** An audit event about the owner's own account, acted on by the owner. */
const own = (user: User, action: string, details?: AuditInput['details']): AuditInput => ({
  action,
  actorId: user.id,
  actorRole: user.role,
  subjectUserId: user.id,
  ...(details ? { details } : {}),
});

/** Corrects the name or the address (D-RECTIFY); a new address must be confirmed again. */
export async function correctAccount(
  deps: UseCaseDeps,
  me: LiveSession,
  body: AccountChange,
): Promise<UserView> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: me.user.id });
  const changed: string[] = [];
  if (body.name !== undefined && body.name !== user.name) {
    user.name = body.name;
    changed.push('name');
  }
  if (body.email !== undefined && body.email !== user.email) {
    if (await em.findOne(User, { email: body.email })) {
      throw conflict('email_unavailable', 'That email address cannot be used. Try another.');
    }
    user.email = body.email;
    user.emailVerifiedAt = null;
    changed.push('email');
  }
  if (changed.length === 0) return userView(user, me.session);
  user.updatedAt = new Date();
  await em.flush();
  if (changed.includes('email')) await reverifyEmail(deps, em, user);
  await recordAudit(em, own(user, 'account.rectified', { fields: changed }));
  return userView(user, me.session);
}

export async function setPreferences(
  deps: UseCaseDeps,
  me: LiveSession,
  body: Preferences,
): Promise<UserView> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: me.user.id });
  const before = (user.preferences ?? {}) as Record<string, unknown>;
  const fields = Object.keys(body).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify((body as Record<string, unknown>)[k]),
  );
  user.preferences = { ...before, ...body };
  user.updatedAt = new Date();
  await em.flush();
  if (fields.length) await recordAudit(em, own(user, 'account.preferences_changed', { fields }));
  return userView(user, me.session);
}

/** A new password, given the current one; every other session ends. */
export async function changePassword(
  deps: UseCaseDeps,
  me: LiveSession,
  body: PasswordChange,
): Promise<Accepted> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: me.user.id });
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, body.currentPassword))) {
    throw new AppError(400, 'invalid_request', 'Your current password is not right.', {
      fields: [{ field: 'currentPassword', message: 'This is not your current password.' }],
    });
  }
  user.passwordHash = await hashPassword(body.newPassword);
  user.updatedAt = new Date();
  await em.flush();
  const revoked = await revokeAllSessions(em, user.id, me.session.id);
  await recordAudit(em, own(user, 'account.password_changed', { revokedSessions: revoked }));
  return { status: 'changed', message: 'Your password is changed. Other devices were signed out.' };
}

export async function mySessions(deps: UseCaseDeps, me: LiveSession): Promise<SessionList> {
  const sessions = await liveSessions(deps.orm.em.fork(), me.user.id);
  return {
    sessions: sessions.map((s) => ({
      id: s.id,
      current: s.id === me.session.id,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      ip: s.ip ?? null,
      userAgent: s.userAgent ?? null,
    })),
  };
}

export async function endMySession(
  deps: UseCaseDeps,
  me: LiveSession,
  sessionId: string,
): Promise<StatusAnswer> {
  const em = deps.orm.em.fork();
  // Object-level check: another user's session id answers exactly like an unknown one.
  const target = await em.findOne(Session, { id: sessionId, user: me.user.id, revokedAt: null });
  if (!target) throw notFound('No such session.');
  await revokeSession(em, target.id);
  await recordAudit(em, own(me.user, 'auth.session_revoked'));
  return { status: 'revoked' };
}

/** A new authenticator seed; two-factor authentication is on only once a code from it is given. */
export async function setUpMfa(deps: UseCaseDeps, me: LiveSession): Promise<MfaSetup> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: me.user.id });
  if (user.mfaEnabledAt)
    throw conflict('mfa_enabled', 'Two-factor authentication is already on. Turn it off first to change it.');
  const { seed, sealed } = newMfaSeed(deps.config.sessionSecret);
  user.mfaSecret = sealed;
  user.mfaLastTimeStep = null;
  await em.flush();
  return { secret: seed, otpauthUrl: otpauthUrl(seed, user.email) };
}

/**
 * Turns two-factor authentication on with a code from the new seed. Privilege changes:
 * this session is replaced by an MFA-verified one and every other ends. The recovery
 * codes are shown once.
 */
export async function enableMfa(
  deps: UseCaseDeps,
  me: LiveSession,
  body: MfaCode,
  origin: SessionOrigin,
): Promise<{ recoveryCodes: string[]; started: StartedSession }> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: me.user.id });
  if (user.mfaEnabledAt) throw conflict('mfa_enabled', 'Two-factor authentication is already on.');
  if (!user.mfaSecret) throw conflict('mfa_not_set_up', 'Start the set-up first.');
  if (!(await verifyTotp(em, deps.config.sessionSecret, user, body.code))) throw wrongCode();
  await em.nativeUpdate(User, { id: user.id }, { mfaEnabledAt: new Date() });
  const recoveryCodes = await issueRecoveryCodes(em, user.id);
  await revokeSession(em, me.session.id);
  await revokeAllSessions(em, user.id);
  const fresh = await em.fork().findOneOrFail(User, { id: user.id });
  const started = await createSession(em, fresh, origin, { mfaVerified: true });
  await recordAudit(em, own(user, 'account.mfa_enabled'));
  return { recoveryCodes, started };
}

/** Turns two-factor authentication off (staff lose staff access until it is on again). */
export async function disableMfa(deps: UseCaseDeps, me: LiveSession, proof: MfaProof): Promise<StatusAnswer> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: me.user.id });
  if (!user.mfaEnabledAt) throw conflict('mfa_not_enabled', 'Two-factor authentication is off.');
  if (!(await checkMfaProof(em, deps.config.sessionSecret, user, proof)))
    throw wrongCode('That code is not right.');
  await removeMfa(em, user.id);
  await recordAudit(em, own(user, 'account.mfa_disabled'));
  return { status: 'disabled' };
}

// ---------------------------------------------------------------- staff (S-RBAC)

/** Staff looked at a person's account: recorded in that person's audit trail. */
const viewed = (staff: Actor, user: User, details?: AuditInput['details']): AuditInput => ({
  action: 'staff.viewed_user',
  actorId: staff.id,
  actorRole: staff.role,
  targetType: 'user',
  targetId: user.id,
  subjectUserId: user.id,
  ...(details ? { details } : {}),
});

/** Accounts by exact email address or role; each one found counts as looked at. */
export async function findAccounts(
  deps: UseCaseDeps,
  staff: Actor,
  query: StaffUserQuery,
): Promise<UserList> {
  const em = deps.orm.em.fork();
  const users = await em.find(
    User,
    {
      ...(query.email ? { email: query.email } : {}),
      ...(query.role ? { role: query.role } : {}),
      status: { $ne: 'deleted' },
    },
    { limit: query.limit, orderBy: { createdAt: 'desc' } },
  );
  await recordAudits(
    em,
    users.map((user) => viewed(staff, user, { via: 'search' })),
  );
  return { users: users.map((u) => userView(u)) };
}

export async function viewAccount(deps: UseCaseDeps, staff: Actor, userId: string): Promise<UserView> {
  const em = deps.orm.em.fork();
  const user = await em.findOne(User, { id: userId });
  if (!user) throw notFound('No such account.');
  await recordAudit(em, viewed(staff, user));
  return userView(user);
}

/** An admin changes someone else's role, with a reason; every session of that account ends. */
export async function changeRole(
  deps: UseCaseDeps,
  admin: Actor,
  userId: string,
  body: RoleChange,
): Promise<UserView> {
  if (userId === admin.id) throw conflict('own_role', 'Ask another admin to change your own role.');
  const em = deps.orm.em.fork();
  const user = await em.findOne(User, { id: userId, status: { $ne: 'deleted' } });
  if (!user) throw notFound('No such account.');
  const from = user.role;
  if (from === body.role) return userView(user);
  user.role = body.role;
  user.updatedAt = new Date();
  await em.flush();
  const revoked = await revokeAllSessions(em, user.id);
  await recordAudit(em, {
    action: 'staff.role_changed',
    actorId: admin.id,
    actorRole: admin.role,
    targetType: 'user',
    targetId: user.id,
    subjectUserId: user.id,
    details: { from, to: body.role, reason: body.reason, revokedSessions: revoked },
  });
  return userView(user);
}

/**
 * Support found an account under age without parental consent (D-MINOR), the account's
 * half: collection stops at once (the access layer refuses a suspended account) and every
 * session ends. Deleting all its data is a verified deletion request of the person, which
 * the caller opens next (the rights-request feature).
 */
export async function suspendMinor(
  deps: UseCaseDeps,
  staff: Actor,
  userId: string,
  parentEmail: string | undefined,
): Promise<{ userId: string; parentEmail: string | null; suspendedAt: Date }> {
  const em = deps.orm.em.fork();
  const user = await em.findOne(User, { id: userId, status: { $ne: 'deleted' } });
  if (!user) throw notFound('No such account.');
  if (user.id === staff.id) throw conflict('own_account', 'Ask someone else to handle your own account.');
  const suspendedAt = new Date();
  const parent = parentEmail ?? user.parentEmail ?? null;
  await em.nativeUpdate(
    User,
    { id: user.id },
    { status: 'suspended_minor', parentEmail: parent, updatedAt: suspendedAt },
  );
  await revokeAllSessions(em, user.id);
  return { userId: user.id, parentEmail: parent, suspendedAt };
}

/** Walks the whole audit chain (S-AUDIT); names the first edited or removed event. */
export async function checkAuditChain(deps: UseCaseDeps, staff: Actor): Promise<AuditVerification> {
  const em = deps.orm.em.fork();
  const result = await verifyAuditChain(em);
  await recordAudit(em, {
    action: 'staff.audit_verified',
    actorId: staff.id,
    actorRole: staff.role,
    details: { ok: result.ok, events: result.events },
  });
  return result;
}
