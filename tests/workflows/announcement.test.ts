// Announcements (workflows/announcement.ts; D-POLICY, D-CONSENT, D-UNSUB): batch after
// batch until every user was reached, each batch asked for once, the figures summed; a
// run continued as new starts where the previous one stopped; the users whose relay
// deferred their email are tried again, together, after the last batch; a campaign's
// end is recorded for the admin's page.
import { describe, expect, it } from 'vitest';
import type { Announcement } from '../../activities/announcement.ts';
import { ANNOUNCEMENT_DEFERRED_MAX } from '../../domain/announcement.ts';
import { announcementWorkflow } from '../../workflows/announcement.ts';
import { inTurn, withWorkflowEnv } from '../support/workflow-env.ts';

const wf = withWorkflowEnv();

const FIRST_ID = '00000000-0000-0000-0000-000000000000';
const policy: Announcement = { kind: 'policy', version: '2026-11' };
/** The announcement's start, as the workflow passes it on: the delivery window counts from it. */
const STARTED = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);

describe('announcements', () => {
  it('[D-POLICY] sends batch after batch, each once, from the first user to the last', async () => {
    const run = await wf.start(announcementWorkflow, {
      args: [{ announcement: policy }],
      activities: {
        sendAnnouncementBatch: inTurn(
          { nextAfterId: 'user-200', sent: 198, skipped: 2 },
          { nextAfterId: 'user-400', sent: 200, skipped: 0 },
          { nextAfterId: null, sent: 37, skipped: 5 },
        ),
      },
    });

    expect(await run.result()).toEqual({ sent: 435, skipped: 7 });
    expect(run.callsTo('sendAnnouncementBatch')).toEqual([
      [{ announcement: policy, afterId: FIRST_ID, startedAt: STARTED }],
      [{ announcement: policy, afterId: 'user-200', startedAt: STARTED }],
      [{ announcement: policy, afterId: 'user-400', startedAt: STARTED }],
    ]);
    expect(run.callsTo('sendDeferredAnnouncement')).toEqual([]);
    // A policy change has no campaign to record.
    expect(run.callsTo('recordCampaignSent')).toEqual([]);
  });

  it('[D-CONSENT] [D-UNSUB] a marketing run carried over by continue-as-new resumes after its last user', async () => {
    const marketing: Announcement = { kind: 'marketing', campaignId: 'c-1', subject: 'New', body: 'Hello' };
    const run = await wf.start(announcementWorkflow, {
      args: [{ announcement: marketing, afterId: 'user-600', sent: 590, skipped: 10 }],
      activities: {
        sendAnnouncementBatch: inTurn({ nextAfterId: null, sent: 12, skipped: 3 }),
        recordCampaignSent: async () => {},
      },
    });

    expect(await run.result()).toEqual({ sent: 602, skipped: 13 });
    expect(run.callsTo('sendAnnouncementBatch')).toEqual([
      [{ announcement: marketing, afterId: 'user-600', startedAt: STARTED }],
    ]);
    // Its end and the whole count, across both runs, recorded once for the admin's page.
    expect(run.callsTo('recordCampaignSent')).toEqual([[{ campaignId: 'c-1', sent: 602 }]]);
  });

  it('a batch that fails is retried, and no other batch is sent twice', async () => {
    const answers = inTurn(
      { nextAfterId: 'user-200', sent: 200, skipped: 0 },
      { nextAfterId: null, sent: 1, skipped: 0 },
    );
    let failed = false;
    const run = await wf.start(announcementWorkflow, {
      args: [{ announcement: policy }],
      activities: {
        sendAnnouncementBatch: async (input) => {
          if (input.afterId === 'user-200' && !failed) {
            failed = true;
            throw new Error('SMTP unavailable');
          }
          return answers();
        },
      },
    });

    expect(await run.result()).toEqual({ sent: 201, skipped: 0 });
    expect(run.callsTo('sendAnnouncementBatch').map(([input]) => input.afterId)).toEqual([
      FIRST_ID,
      'user-200',
      'user-200',
    ]);
  });

  it('[D-POLICY] the users a relay deferred are tried again together after the last batch, from the same start, across continue-as-new', async () => {
    const startedAt = '2026-12-05T10:00:00.000Z';
    const run = await wf.start(announcementWorkflow, {
      args: [
        {
          announcement: policy,
          afterId: 'user-200',
          sent: 190,
          skipped: 8,
          deferred: ['user-17'],
          startedAt,
        },
      ],
      activities: {
        sendAnnouncementBatch: inTurn(
          { nextAfterId: 'user-400', sent: 197, skipped: 1, deferred: ['user-233', 'user-380'] },
          { nextAfterId: null, sent: 40, skipped: 0, deferred: [] },
        ),
        sendDeferredAnnouncement: inTurn({ sent: 2, skipped: 1 }),
      },
    });

    expect(await run.result()).toEqual({ sent: 429, skipped: 10 });
    expect(run.callsTo('sendAnnouncementBatch').map(([input]) => input.startedAt)).toEqual([
      startedAt,
      startedAt,
    ]);
    expect(run.callsTo('sendDeferredAnnouncement')).toEqual([
      [{ announcement: policy, userIds: ['user-17', 'user-233', 'user-380'], startedAt }],
    ]);
  });

  it('[D-POLICY] once it carries ANNOUNCEMENT_DEFERRED_MAX deferred users it tries them again before the next batch', async () => {
    const many = Array.from({ length: ANNOUNCEMENT_DEFERRED_MAX }, (_, i) => `user-d${i}`);
    const run = await wf.start(announcementWorkflow, {
      args: [{ announcement: policy }],
      activities: {
        sendAnnouncementBatch: inTurn(
          { nextAfterId: 'user-1000', sent: 0, skipped: 0, deferred: many },
          { nextAfterId: null, sent: 9, skipped: 0, deferred: ['user-late'] },
        ),
        sendDeferredAnnouncement: inTurn(
          { sent: ANNOUNCEMENT_DEFERRED_MAX, skipped: 0 },
          { sent: 1, skipped: 0 },
        ),
      },
    });

    expect(await run.result()).toEqual({ sent: ANNOUNCEMENT_DEFERRED_MAX + 10, skipped: 0 });
    expect(run.order()).toEqual([
      'sendAnnouncementBatch',
      'sendDeferredAnnouncement',
      'sendAnnouncementBatch',
      'sendDeferredAnnouncement',
    ]);
    expect(run.callsTo('sendDeferredAnnouncement').map(([input]) => input.userIds)).toEqual([
      many,
      ['user-late'],
    ]);
  });
});
