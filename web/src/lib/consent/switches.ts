// The privacy center's switches (D-CONSENT, D-RESTRICT, D-OBJECT): each a form posting the
// opposite of its state, with what it means and, where something else already decides,
// why it has no effect right now.
import type { Switch } from '../components/SwitchForm.svelte';
import { failureOf } from '../forms.ts';
import { RETENTION_POLICY } from '../policy/words.ts';
import { formatDateTime, formatDuration } from '../time.ts';
import type { ConsentChoice, PrivacySettings } from './types.ts';

function since(choice: ConsentChoice | null | undefined): string {
  if (!choice) return 'You have not chosen yet, so it is off.';
  return `Your choice since ${formatDateTime(choice.at)} (policy version ${choice.policyVersion}).`;
}

const ALLOWED = { onWords: 'Allowed', offWords: 'Off' };
const OBJECTING = { onWords: 'Objecting', offWords: 'Off' };

/** Analytics cookies and marketing email: opt-in, withdrawn at any time. */
export function choiceSwitches(settings: PrivacySettings, doNotTrack: boolean, form: unknown): Switch[] {
  const { analytics, marketing_email: marketing } = settings.consents;
  return [
    {
      action: '?/consent',
      hidden: { purpose: 'analytics' },
      label: 'Analytics cookies',
      description: `We count page views, load times and which features are used, to improve Clipwise; never your prompts or videos. Kept ${formatDuration(RETENTION_POLICY.analyticsPersonal.keepMs)}. ${since(analytics)}`,
      on: analytics?.granted === true,
      ...ALLOWED,
      note: settings.restricted
        ? 'Processing is restricted, so no analytics are recorded whatever you choose here.'
        : settings.objections.analytics
          ? 'You object to analytics, so none are recorded whatever you choose here.'
          : doNotTrack
            ? 'Your browser asks not to be tracked, so it sends no analytics whatever you choose here.'
            : undefined,
      failure: failureOf(form, 'consent-analytics'),
      testid: 'consent-analytics',
    },
    {
      action: '?/consent',
      hidden: { purpose: 'marketing_email' },
      label: 'Marketing email',
      description: `News about Clipwise and offers. Every one has a one-click unsubscribe link; account emails (codes, receipts) come either way. ${since(marketing)}`,
      on: marketing?.granted === true,
      ...ALLOWED,
      note: settings.objections.marketing
        ? 'You object to direct marketing, so we send you none whatever you choose here.'
        : undefined,
      failure: failureOf(form, 'consent-marketing_email'),
      testid: 'consent-marketing',
    },
  ];
}

/** Restriction (storage only) and objection to analytics or direct marketing. */
export function limitSwitches(settings: PrivacySettings, form: unknown): Switch[] {
  return [
    {
      action: '?/restriction',
      label: 'Restrict processing',
      description:
        'Keep your data stored but stop using it, for example while you dispute whether it is accurate: no new videos, uploads or analytics until you lift it. Your existing videos still follow their deletion timers.',
      on: settings.restricted,
      onWords: 'Restricted',
      offWords: 'Off',
      failure: failureOf(form, 'restriction'),
      testid: 'restriction',
    },
    {
      action: '?/objection',
      hidden: { purpose: 'analytics' },
      label: 'Object to analytics',
      description: 'We stop analysing how you use Clipwise, whatever your cookie choice.',
      on: settings.objections.analytics,
      ...OBJECTING,
      failure: failureOf(form, 'objection-analytics'),
      testid: 'objection-analytics',
    },
    {
      action: '?/objection',
      hidden: { purpose: 'marketing' },
      label: 'Object to direct marketing',
      description: 'We send you no marketing and use nothing about you for it, whatever your email choice.',
      on: settings.objections.marketing,
      ...OBJECTING,
      failure: failureOf(form, 'objection-marketing'),
      testid: 'objection-marketing',
    },
  ];
}
