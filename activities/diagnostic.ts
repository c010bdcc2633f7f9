// Activities of the diagnostic workflow: they touch each store the platform depends on
// and read back what they wrote, so an operator can prove the wiring end to end.
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DiagnosticCheck } from '../db/entities/index.ts';
import type { ObjectStore } from '../platform/s3.ts';

export interface DiagnosticObject {
  key: string;
  sha256: string;
}

export const diagnosticObjectKey = (checkId: string) => `diagnostics/${checkId}.json`;

export function createDiagnosticActivities(deps: { orm: MikroORM; store: ObjectStore }) {
  const { orm, store } = deps;
  return {
    /** Idempotent: a retry finds the row and leaves it as it is. */
    async recordDiagnosticStart(checkId: string): Promise<void> {
      const em = orm.em.fork();
      await em.upsert(DiagnosticCheck, { id: checkId, status: 'running' }, { onConflictAction: 'ignore' });
    },

    /** Idempotent: the same check writes the same bytes to the same key. */
    async writeDiagnosticObject(checkId: string, startedAt: string): Promise<DiagnosticObject> {
      const body = Buffer.from(JSON.stringify({ checkId, startedAt, purpose: 'platform diagnostic' }));
      const key = diagnosticObjectKey(checkId);
      await store.client.send(
        new PutObjectCommand({
          Bucket: store.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ServerSideEncryption: store.serverSideEncryption,
        }),
      );
      return { key, sha256: createHash('sha256').update(body).digest('hex') };
    },

    /** Reads the object back and checks its bytes and its encryption at rest. */
    async verifyDiagnosticObject(object: DiagnosticObject): Promise<{ encryption: string }> {
      const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: object.key }));
      const got = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: object.key }));
      const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== object.sha256) {
        throw ApplicationFailure.nonRetryable(
          `object ${object.key} read back with a different hash`,
          'DiagnosticMismatch',
        );
      }
      const encryption = head.ServerSideEncryption ?? 'none';
      if (encryption === 'none') {
        throw ApplicationFailure.nonRetryable(
          `object ${object.key} is not encrypted at rest`,
          'NotEncrypted',
        );
      }
      return { encryption };
    },

    async completeDiagnostic(
      checkId: string,
      outcome: { passed: boolean; object?: DiagnosticObject; detail: string },
    ): Promise<void> {
      const em = orm.em.fork();
      await em.nativeUpdate(
        DiagnosticCheck,
        { id: checkId },
        {
          status: outcome.passed ? 'passed' : 'failed',
          objectKey: outcome.object?.key ?? null,
          objectSha256: outcome.object?.sha256 ?? null,
          detail: outcome.detail,
          completedAt: new Date(),
        },
      );
    },
  };
}

export type DiagnosticActivities = ReturnType<typeof createDiagnosticActivities>;
