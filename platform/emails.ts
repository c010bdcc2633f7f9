// The words of the platform's transactional emails. Links point at the site, which
// posts the token to the API.
import type { MailMessage } from './mail.ts';

const sign = '\n\n— Clipwise';

export const emails = {
  verifyEmail: (to: string, name: string, link: string): MailMessage => ({
    to,
    subject: 'Confirm your email address',
    text: `Hi ${name},\n\nConfirm your email address to start making videos:\n${link}\n\nThe link works for 48 hours. If you did not sign up, ignore this email.${sign}`,
  }),
  alreadyRegistered: (to: string, link: string): MailMessage => ({
    to,
    subject: 'Someone tried to sign up with your email address',
    text: `Someone (maybe you) tried to create a Clipwise account with this address, which already has one.\n\nIf it was you, sign in or reset your password here:\n${link}\n\nIf it was not you, you can ignore this email; your account is unchanged.${sign}`,
  }),
  passwordReset: (to: string, link: string): MailMessage => ({
    to,
    subject: 'Reset your password',
    text: `Use this link to choose a new password:\n${link}\n\nIt works for one hour and once. Every device signed in to your account will be signed out. If you did not ask for this, ignore this email.${sign}`,
  }),
  parentalConsent: (to: string, childName: string, link: string, policyUrl: string): MailMessage => ({
    to,
    subject: `${childName} would like to use Clipwise`,
    text: `Hello,\n\n${childName} gave this address as their parent or guardian's and asked to create a Clipwise account. Clipwise makes short videos with AI from prompts and images; users under 18 need a parent's consent.\n\nWhat we keep and for how long: ${policyUrl}\n\nTo allow the account, open:\n${link}\n\nIf you do not, nothing more happens: the account cannot be used, and it is deleted when the link expires in 7 days.${sign}`,
  }),
  signInLocked: (to: string, minutes: number, resetLink: string): MailMessage => ({
    to,
    subject: 'Sign-in paused after failed attempts',
    text: `There were several failed attempts to sign in to your account, so sign-in is paused for ${minutes} minute(s).\n\nIf it was not you, consider resetting your password:\n${resetLink}${sign}`,
  }),
  /** D-ADM: a person decided a review (held, or asked for after an automatic refusal). */
  reviewDecided: (
    to: string,
    what: string,
    approved: boolean,
    reason: string,
    link: string,
  ): MailMessage => ({
    to,
    subject: approved ? 'A person approved your request' : 'A person reviewed your request',
    text: `Hello,\n\nA member of our team reviewed ${what}.\n\nDecision: ${approved ? 'approved' : 'not approved'}\nWhy: ${reason}\n\nSee it here: ${link}${sign}`,
  }),
  /** S-TAKEDOWN: the creator learns what was removed, why, and how to answer. */
  takedownRemoved: (to: string, why: string, reason: string, items: number, link: string): MailMessage => ({
    to,
    subject: 'Content of yours was removed after a take-down request',
    text: `Hello,\n\nWe received a request to take down content you made on Clipwise, reported as ${why}. A member of our legal team reviewed it and upheld it:\n\n${reason}\n\nWe removed the content and everything made from it (${items} file(s)) from our storage.\n\nIf you think this is wrong, you can answer here: ${link}${sign}`,
  }),
  /** S-TAKEDOWN: the person who reported it learns the outcome. */
  takedownOutcome: (to: string, upheld: boolean, reason: string): MailMessage => ({
    to,
    subject: upheld ? 'Your take-down request was upheld' : 'Your take-down request was reviewed',
    text: `Hello,\n\nA member of our legal team reviewed the content you reported.\n\nDecision: ${upheld ? 'upheld: the content was removed' : 'not upheld: the content stays'}\nWhy: ${reason}${sign}`,
  }),
  /** S-BREACH: an affected person is told what happened (GDPR art. 34). */
  incidentNotice: (
    to: string,
    name: string,
    body: { description: string; categories: string[]; measures: string },
  ): MailMessage => ({
    to,
    subject: 'Important: a security incident affected your Clipwise data',
    text: `Hi ${name},\n\nWe are writing to tell you about a security incident that affected personal data of yours.\n\nWhat happened: ${body.description}\n\nWhich of your data: ${body.categories.join('; ')}\n\nWhat we have done and what you can do: ${body.measures}\n\nYou can contact us by replying to this email, and you may complain to a data protection authority.${sign}`,
  }),
};
