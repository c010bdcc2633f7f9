// Errors reaching a user are JSON `{ "error": { "code", "message" } }` with the right
// status; anything unexpected is logged with the request id and answered as a 500
// without internals.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: string;
  readonly fields?: FieldProblem[];
  readonly headers?: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    extra: { fields?: FieldProblem[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = extra.fields;
    this.headers = extra.headers;
  }
}

export const badRequest = (message: string, fields?: FieldProblem[]) =>
  new AppError(400, 'invalid_request', message, { fields });
export const unauthorized = (message = 'Sign in to continue.') =>
  new AppError(401, 'unauthenticated', message);
export const forbidden = (message = 'You do not have access to this.') =>
  new AppError(403, 'forbidden', message);
export const notFound = (message = 'Not found.') => new AppError(404, 'not_found', message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);

/** Turns a schema failure into a 400 naming every offending field. */
export function validationError(where: 'body' | 'query' | 'params', error: z.ZodError): AppError {
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

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
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
  } else {
    req.log?.error({ err }, 'unhandled error');
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
