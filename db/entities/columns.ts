// The columns most tables share, declared once: a random UUID key, and the time a row was
// written.
import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/postgresql';

/** A UUID primary key, made when the row is created. */
export const uuidKey = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => randomUUID());

/** The moment the row was created. */
export const createdNow = () => p.datetime().onCreate(() => new Date());
