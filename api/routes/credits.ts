// A creator's credits: the balance and the ledger behind it, page by page.
import { z } from 'zod';
import { LEDGER_KINDS } from '../../domain/credits.ts';
import { CreditLedgerEntry } from '../../db/entities/index.ts';
import { creditBalance } from '../../db/ledger.ts';
import { caller } from '../auth/access.ts';
import type { ApiDeps } from '../deps.ts';
import { defineRoute } from '../route.ts';

export function creditRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/credits',
      summary: 'My credit balance and ledger entries, newest first',
      tags: ['credits'],
      access: 'signed-in',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(50),
        before: z.coerce.number().int().positive().optional(),
      }),
      response: z.object({
        balance: z.number(),
        entries: z.array(
          z.object({
            id: z.number(),
            kind: z.enum(LEDGER_KINDS),
            amount: z.number(),
            credits: z.number(),
            jobId: z.string().nullable(),
            note: z.string().nullable(),
            createdAt: z.string(),
          }),
        ),
        nextBefore: z.number().nullable(),
      }),
      handler: async ({ query, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const entries = await em.find(
          CreditLedgerEntry,
          { user: user.id, ...(query.before ? { id: { $lt: query.before } } : {}) },
          { orderBy: { id: 'desc' }, limit: query.limit + 1 },
        );
        const page = entries.slice(0, query.limit);
        return {
          balance: await creditBalance(em, user.id),
          entries: page.map((e) => ({
            id: e.id,
            kind: e.kind,
            amount: e.amount,
            credits: e.credits,
            jobId: e.jobId ?? null,
            note: e.note ?? null,
            createdAt: e.createdAt.toISOString(),
          })),
          nextBefore: entries.length > query.limit ? (page.at(-1)?.id ?? null) : null,
        };
      },
    }),
  ];
}
