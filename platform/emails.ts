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
};
