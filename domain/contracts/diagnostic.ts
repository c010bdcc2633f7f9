// What the API gives for an operator's end-to-end diagnostic run.
import { z } from 'zod';

export const diagnosticView = z.object({
  id: z.uuid(),
  workflowId: z.string(),
  status: z.enum(['running', 'passed', 'failed']),
  objectKey: z.string().nullable(),
  detail: z.string().nullable(),
  temporalUiUrl: z.url(),
});
export type DiagnosticView = z.infer<typeof diagnosticView>;
