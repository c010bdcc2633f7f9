// Errors reaching a user are JSON `{ "error": { "code", "message" } }` with the right
// status; a mail the relay would not take now, or Temporal or the database not answering,
// is a 503; anything unexpected is logged with the request id and answered as a 500
// without internals.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';

import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { AppError, badRequest } from '../domain/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { MailNotSent } from '../platform/mail.ts';
import { isTemporalUnavailable } from '../platform/temporal.ts';

export {
  AppError,
  badRequest,
  conflict,
  forbidden,
  notFound,
  unauthorized,
  type FieldProblem,
} from '../domain/errors.ts';

/** Turns a schema failure into a 400 naming every offending field. */
export function validationError(where: 'body' | 'query' | 'params' | 'headers', error: z.ZodError): AppError {
  const fields = error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : where,
    message: issue.message,
  }));
  const names = [...new Set(fields.map((f) => f.field))].join(', ');
  return badRequest(`Invalid ${where}: check ${names}.`, fields);
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'not_found', `No route for ${req.method} ${req.path}.`));
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Every error as JSON; one nobody expected is logged through `logger`, which redacts. */
export const errorHandler =
  (logger: Logger): ErrorRequestHandler =>
  (err, req, res, _next) => {
    let appError: AppError;
    const parserError = err as BodyParserError;
    if (err instanceof AppError) {
      appError = err;
    } else if (parserError.type === 'entity.too.large') {
      appError = new AppError(413, 'payload_too_large', 'The request body is too large.');
    } else if (parserError.type === 'entity.parse.failed') {
      appError = badRequest('The request body is not valid JSON.');
    } else if (parserError.expose && parserError.status && parserError.status < 500) {
      appError = new AppError(parserError.status, 'invalid_request', 'The request could not be read.');
    } else if (err instanceof MailNotSent) {
      // The relay down or deferring: the person can try again; a refusal for good is not
      // thrown (stores/mail.ts). Its codes only: never the address.
      logger.warn(
        { err: { code: err.code, responseCode: err.responseCode }, reqId: req.id },
        'mail not sent',
      );
      appError = new AppError(
        503,
        'mail_unavailable',
        'We could not send the email just now. Please try again in a few minutes.',
      );
    } else if (isTemporalUnavailable(err) || isDatabaseUnavailable(err)) {
      // What the request needed started, told or read is not: the person may try again (a
      // job, a script run or an upload Temporal did not start is kept and started later
      // instead; a rights request is not kept; the database's transactions keep all or
      // nothing).
      logger.warn(
        { err, reqId: req.id },
        isDatabaseUnavailable(err) ? 'database unavailable' : 'temporal unavailable',
      );
      appError = new AppError(
        503,
        'service_unavailable',
        'Part of our platform is not answering just now. Please try again in a few minutes.',
      );
    } else {
      logger.error({ err, reqId: req.id }, 'unhandled error');
      appError = new AppError(500, 'internal', 'Something went wrong on our side. Please try again.');
    }
    if (res.headersSent) return;
    for (const [name, value] of Object.entries(appError.headers ?? {})) res.setHeader(name, value);
    res.status(appError.status).json({
      error: {
        code: appError.code,
        message: appError.message,
        ...(appError.fields ? { fields: appError.fields } : {}),
        requestId: req.id,
      },
    });
  };
