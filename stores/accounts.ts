// What the accounts feature keeps that the API's middleware and the use cases share:
// server-held sessions and the account emails.
//
// Sessions: a random token whose hash alone is stored; the cookie carrying it is set by
// the API and ends with the browser session (R-COOKIE). Each session keeps IP, browser
// and times: the session log that expires after 30 days (R-SESSION-30D, swept by
// activities/sweeps/sessions.ts).
//
// A choice made on the cookie banner before signing in is the person's own: at sign-in the
// browser's latest choice goes to the account when it is newer than the account's (the
// latest choice counts, D-CONSENT), so nobody is asked twice and a fresh "no" is never
// overridden by an older "yes". The copy keeps the choice's own time, source and policy
// version. Marketing email is never a visitor's to choose, and the analytics a browser
// sent before sign-in stay the browser's: they are not joined to the account.
//
// Account emails (address confirmation links, password resets, parental consent, sign-in
// alerts) go into the email log like every other email (R-SUPPORT-3Y): a keyed hash of the
// address, the template and the time, never the link or the body.
import { randomUUID } from 'node:crypto';
import type { EntityData, EntityManager } from '@mikro-orm/postgresql';
import { Consent, Session, User } from '../db/entities/index.ts';
import {
  SESSION_ABSOLUTE_TIMEOUT_MS,
  SESSION_IDLE_TIMEOUT_MS,
  SESSION_TOUCH_INTERVAL_MS,
} from '../domain/accounts.ts';
import type { ConsentPurpose } from '../domain/consent.ts';
import { randomToken, sha256Hex } from '../platform/crypto.ts';
import type { MailMessage } from '../platform/mail.ts';
import { sendLoggedMail, type PrivacyMailDeps } from './mail.ts';

/** A signed-in browser: its live session and the account it belongs to. */
export interface LiveSession {
  user: User;
  session: Session;
}

/** A session just started: the token goes into the browser's cookie and nowhere else. */
export interface StartedSession extends LiveSession {
  token: string;
}

/** Where a sign-in comes from: kept in the session log, and the visitor whose choices carry over. */
export interface SessionOrigin {
  ip: string | null;
  userAgent: string | null;
  /** The signed-out browser's random id, when it has one. */
  visitorId?: string;
}

const VISITOR_PURPOSES: readonly ConsentPurpose[] = ['analytics'];

async function carryVisitorChoices(em: EntityManager, userId: string, visitorId: string): Promise<void> {
  for (const purpose of VISITOR_PURPOSES) {
    const [chosen] = await em.find(Consent, { visitorId, purpose }, { orderBy: { id: 'desc' }, limit: 1 });
    if (!chosen) continue;
    const [own] = await em.find(Consent, { user: userId, purpose }, { orderBy: { id: 'desc' }, limit: 1 });
    if (own && own.createdAt.getTime() >= chosen.createdAt.getTime()) continue;
    em.create(Consent, {
      user: userId,
      purpose,
      granted: chosen.granted,
      policyVersion: chosen.policyVersion,
      source: chosen.source,
      createdAt: chosen.createdAt,
    });
  }
  await em.flush();
}

export async function createSession(
  em: EntityManager,
  user: User,
  origin: SessionOrigin,
  options: { mfaVerified?: boolean } = {},
): Promise<StartedSession> {
  const token = randomToken();
  const now = new Date();
  const session = em.create(Session, {
    user: user.id,
    tokenHash: sha256Hex(token),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_TIMEOUT_MS),
    mfaVerifiedAt: options.mfaVerified ? now : null,
    ip: origin.ip?.slice(0, 64) ?? null,
    userAgent: origin.userAgent?.slice(0, 512) ?? null,
  });
  await em.flush();
  if (origin.visitorId) await carryVisitorChoices(em, user.id, origin.visitorId);
  return { token, session, user };
}

/** A session's row and its user's, each as JSON the entity mapper reads as it reads its own. */
export interface SessionRows {
  session: EntityData<Session>;
  user: EntityData<User>;
}

/** Announced with a user's id whenever one of their sessions or their account changes (db/entities/Session.ts). */
export const SESSION_CHANNEL = 'session_changed';

/** The rows of the unrevoked session with this token hash, or null. */
export async function sessionRows(em: EntityManager, tokenHash: string): Promise<SessionRows | null> {
  // Every signed-in request asks this: the session and its user in one query (two queries
  // through the ORM took about 1.2-1.5 ms of the API's CPU per request, this one 0.45-0.6).
  const [row] = await em.getConnection().execute<SessionRows[]>(
    `select to_jsonb(s) as session, to_jsonb(u) as "user"
         from sessions s join users u on u.id = s.user_id
        where s.token_hash = ? and s.revoked_at is null`,
    [tokenHash],
  );
  return row ?? null;
}

/** The session and account these rows describe, as entities, whether or not the session is still live. */
export function sessionOf(em: EntityManager, rows: SessionRows): LiveSession {
  return { session: em.map(Session, rows.session), user: em.map(User, rows.user) };
}

/** Whether a session is live now: not idle too long, not past its end, its account not deleted. */
export function isLive({ session, user }: LiveSession, now: number = Date.now()): boolean {
  return (
    session.expiresAt.getTime() > now &&
    session.lastSeenAt.getTime() + SESSION_IDLE_TIMEOUT_MS > now &&
    user.status !== 'deleted'
  );
}

/** The live session these rows describe, or null when it is idle too long, past its end, or its account deleted. */
export function liveSessionOf(em: EntityManager, rows: SessionRows): LiveSession | null {
  const found = sessionOf(em, rows);
  return isLive(found) ? found : null;
}

/** The live session for a token, or null when it is unknown, revoked, idle too long or past its end. */
export async function findSession(em: EntityManager, token: string): Promise<LiveSession | null> {
  const rows = await sessionRows(em, sha256Hex(token));
  return rows ? liveSessionOf(em, rows) : null;
}

/** Refreshes a session's last-seen time, at most every few minutes to keep reads cheap. */
export async function touchSession(em: EntityManager, session: Session): Promise<void> {
  if (Date.now() - session.lastSeenAt.getTime() <= SESSION_TOUCH_INTERVAL_MS) return;
  await em.nativeUpdate(Session, { id: session.id }, { lastSeenAt: new Date() });
}

export async function revokeSession(em: EntityManager, sessionId: string): Promise<void> {
  await em.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: new Date() });
}

/** Ends every session of a user (sign-out everywhere, password reset, role change), optionally but one. */
export async function revokeAllSessions(
  em: EntityManager,
  userId: string,
  exceptSessionId?: string,
): Promise<number> {
  return em.nativeUpdate(
    Session,
    { user: userId, revokedAt: null, ...(exceptSessionId ? { id: { $ne: exceptSessionId } } : {}) },
    { revokedAt: new Date() },
  );
}

/** Where a person is signed in, most recently used first. */
export function liveSessions(em: EntityManager, userId: string): Promise<Session[]> {
  return em.find(
    Session,
    { user: userId, revokedAt: null, expiresAt: { $gt: new Date() } },
    { orderBy: { lastSeenAt: 'desc' } },
  );
}

export type AccountMailTemplate =
  'verify_email' | 'already_registered' | 'parental_consent' | 'sign_in_locked' | 'password_reset';

export async function sendAccountMail(
  deps: PrivacyMailDeps,
  em: EntityManager,
  entry: { userId: string; template: AccountMailTemplate },
  message: MailMessage,
): Promise<void> {
  // Each of these is its own event (a new link each time): nothing to deduplicate.
  await sendLoggedMail(
    deps,
    em,
    { dedupeKey: `${entry.template}:${randomUUID()}`, category: 'transactional', ...entry },
    message,
  );
}
