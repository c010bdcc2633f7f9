// The links account emails carry (a page of the site with its token) and the answer to
// one that no longer works: shared by sign-up, the parent's confirmation and resets.
import { AppError } from '../domain/errors.ts';
import type { UseCaseDeps } from './deps.ts';

/** A page of the site, with an emailed token when there is one. */
export const siteLink = (deps: UseCaseDeps, path: string, token?: string) =>
  `${deps.config.web.publicUrl}${path}${token ? `?token=${encodeURIComponent(token)}` : ''}`;

export const invalidLink = (message = 'This link is invalid or has expired. Ask for a new one.') =>
  new AppError(400, 'invalid_token', message);
