// Reads what the platform sent, from the mail catcher's REST API.
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';

export interface CaughtMail {
  id: string;
  subject: string;
  text: string;
  to: { address: string }[];
  headers: Record<string, string>;
}

export async function mailsTo(address: string): Promise<CaughtMail[]> {
  const res = await fetch(`${inject('mailWebUrl')}/email`);
  const all = (await res.json()) as CaughtMail[];
  return all.filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()));
}

/** Waits for the newest mail to an address whose subject matches. */
export async function waitForMail(address: string, subject: RegExp, timeoutMs = 10_000): Promise<CaughtMail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await mailsTo(address)).filter((m) => subject.test(m.subject)).at(-1);
    if (found) return found;
    await sleep(100);
  }
  throw new Error(`no mail to ${address} matching ${subject}`);
}

/** The token in the first site link of a mail. */
export function tokenFrom(mail: CaughtMail): string {
  const match = /[?&]token=([A-Za-z0-9_%-]+)/.exec(mail.text);
  if (!match) throw new Error(`no token link in "${mail.subject}"`);
  return decodeURIComponent(match[1]!);
}
