import { Migration } from '@mikro-orm/migrations';

// privacy_requests becomes rights_requests (one word per feature), renamed in place with
// its index and constraints, and gains the request's progress: each step's state and
// the counts of the work done, written with the status by the same statements. Rows
// made before keep their workflow ids (`dsar-<id>` workflows still running are
// signalled by the id on their row) and get steps that follow from their status.
const STEPS = `case when r.type = 'deletion' then array['verify', 'legal_hold_check', 'revoke_sessions', 'cancel_jobs', 'delete_assets', 'erase_rows', 'notify_recipients', 'final_notice', 'anonymize_profile', 'certificate']
                   when r.type in ('access', 'portability') then array['verify', 'collect', 'archive', 'link', 'notify']
                   else array['verify', 'apply', 'notify'] end`;

const CONSTRAINTS = [
  'pkey',
  'user_id_foreign',
  'type_check',
  'jurisdiction_check',
  'status_check',
  'origin_check',
  'paused_reason_check',
];

export class Migration20261202022835_rights_requests extends Migration {
  override name = 'Migration20261202022835_rights_requests';

  override up(): void | Promise<void> {
    this.addSql(`alter table "privacy_requests" rename to "rights_requests";`);
    this.addSql(`alter index "privacy_requests_user_id_index" rename to "rights_requests_user_id_index";`);
    for (const c of CONSTRAINTS) {
      this.addSql(
        `alter table "rights_requests" rename constraint "privacy_requests_${c}" to "rights_requests_${c}";`,
      );
    }
    this.addSql(
      `alter table "rights_requests" add "steps" jsonb not null default '{}', add "counts" jsonb not null default '{}';`,
    );
    this.addSql(
      `update "rights_requests" r set "steps" = (
         select jsonb_object_agg(name, case
                  when r.status = 'completed' then 'done'
                  when name = 'verify' and r.verified_at is not null then 'done'
                  when name = 'verify' and r.status = 'awaiting_verification' then 'waiting'
                  when r.status in ('expired', 'cancelled', 'rejected') then 'skipped'
                  else 'pending' end)
           from unnest(${STEPS}) as name);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "rights_requests" drop column "steps", drop column "counts";`);
    for (const c of CONSTRAINTS) {
      this.addSql(
        `alter table "rights_requests" rename constraint "rights_requests_${c}" to "privacy_requests_${c}";`,
      );
    }
    this.addSql(`alter index "rights_requests_user_id_index" rename to "privacy_requests_user_id_index";`);
    this.addSql(`alter table "rights_requests" rename to "privacy_requests";`);
  }
}
