// Progressive enhancement for every form on the site. Without JavaScript a form posts to
// its SvelteKit action with the CSRF token rendered into it. With JavaScript, `use:enhance`
// submits the same action in the background; just before sending, it asks the API for a
// fresh CSRF token (the API rotates the token on each issue, so another tab may have made
// the rendered one stale), then shows the answer in place and moves focus to the first
// problem.
import type { ActionResult, SubmitFunction } from '$app/forms';
import { tick } from 'svelte';
import { browserApi } from './api/browser.ts';

export interface EnhanceOptions {
  /** Clear the form after a success (password forms); settings forms keep their values. */
  reset?: boolean;
  /** Called with the action's result after the page has been updated. */
  after?: (result: ActionResult) => void;
}

export function focusFirstProblem(form: HTMLFormElement): void {
  const target =
    form.querySelector<HTMLElement>('[aria-invalid="true"]') ??
    form.querySelector<HTMLElement>('[data-form-alert]') ??
    document.querySelector<HTMLElement>('[data-form-alert]');
  if (!target) return;
  // Alerts are not in the tab order; they take focus only when we move it there.
  if (target.tabIndex < 0 && !target.hasAttribute('tabindex')) target.tabIndex = -1;
  target.focus();
}

/** A submit handler plus its pending state, for one form. */
export function enhancedForm(options: EnhanceOptions = {}) {
  let pending = $state(false);
  const submit: SubmitFunction = async ({ formData }) => {
    pending = true;
    const fresh = await browserApi.accounts.session();
    if (fresh.ok) formData.set('csrf', fresh.data.csrfToken);
    return async ({ update, result, formElement }) => {
      try {
        await update({ reset: options.reset ?? false });
      } finally {
        pending = false;
      }
      await tick();
      if (result.type === 'failure') {
        // As without JavaScript: a password is never shown back after a failed attempt.
        for (const input of formElement.querySelectorAll<HTMLInputElement>('input[type="password"]')) {
          input.value = '';
          input.dispatchEvent(new Event('input', { bubbles: true }));
        }
        focusFirstProblem(formElement);
      }
      options.after?.(result);
    };
  };
  return {
    submit,
    get pending() {
      return pending;
    },
  };
}
