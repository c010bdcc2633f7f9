// The account page's two forms: the profile (D-RECTIFY: a person corrects their own name
// and address; a new address is confirmed again) and the preferences, whose default
// generation settings are checked against the model catalog.
import { LANGUAGES, THEMES, type Language, type Preferences, type Theme } from '#lib/accounts/types.ts';
import { parseGenerationDefaults } from '#lib/accounts/preferences.ts';
import { failure, formAction, invalid, text, texts } from '#lib/server/forms.ts';
import type { Actions } from './$types';

const isLanguage = (v: string): v is Language => (LANGUAGES as readonly string[]).includes(v);
const isTheme = (v: string): v is Theme => (THEMES as readonly string[]).includes(v);

const DEFAULTS_FIELDS = {
  'generationDefaults.model': 'model',
  'generationDefaults.durationSeconds': 'durationSeconds',
  'generationDefaults.aspectRatio': 'aspectRatio',
  'generationDefaults.resolution': 'resolution',
};

export const actions: Actions = {
  profile: formAction(async ({ form, api, csrf }) => {
    const values = texts(form, ['name', 'email']);
    const result = await api.accounts.updateProfile(values, csrf);
    if (!result.ok) return failure(result.problem, values, { form: 'profile' });
    const emailChanged = result.data.email !== text(form, 'previousEmail').toLowerCase();
    return {
      form: 'profile',
      saved: emailChanged
        ? `Saved. We sent a link to ${result.data.email}; open it to confirm your new address.`
        : 'Saved.',
    };
  }),

  preferences: formAction(async ({ form, api, csrf }) => {
    const values = texts(form, [
      'language',
      'theme',
      'model',
      'durationSeconds',
      'aspectRatio',
      'resolution',
    ]);
    const fields: Record<string, string> = {};
    if (!isLanguage(values.language)) fields.language = 'Choose a language from the list.';
    if (!isTheme(values.theme)) fields.theme = 'Choose a theme from the list.';
    const defaults = parseGenerationDefaults(values);
    if (!defaults.ok) Object.assign(fields, defaults.fields);
    if (Object.keys(fields).length || !defaults.ok) return invalid(fields, values, { form: 'preferences' });
    const body: Preferences = {
      language: values.language as Language,
      theme: values.theme as Theme,
      generationDefaults: defaults.value,
    };
    const result = await api.accounts.updatePreferences(body, csrf);
    if (!result.ok) {
      return failure(result.problem, values, { form: 'preferences', fieldAliases: DEFAULTS_FIELDS });
    }
    return { form: 'preferences', saved: 'Preferences saved.' };
  }),
};
