import { Migration } from '@mikro-orm/migrations';

// Subscriptions and their invoices (D-SUBSCRIPTION), refunds and disputes in the ledger
// (their kinds, the shortfall a spent balance leaves, the credits a person owes), the
// de-identified totals kept when payment records age out (R-PAY-7Y), support tickets and
// their messages (R-SUPPORT-3Y).

export class Migration20261202045930_billing_subscriptions_support extends Migration {
  override name = 'Migration20261202045930_billing_subscriptions_support';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "billing_totals" ("month" date not null, "record" text not null, "kind" varchar(32) not null, "currency" varchar(3) not null, "count" int not null, "amount" bigint not null, primary key ("month", "record", "kind", "currency"));`,
    );

    this.addSql(
      `create table "support_tickets" ("id" uuid not null, "user_id" uuid null, "subject" varchar(200) not null, "status" text not null default 'open', "assigned_to_id" uuid null, "created_at" timestamptz not null, "last_message_at" timestamptz not null, "closed_at" timestamptz null, "closed_by" uuid null, primary key ("id"));`,
    );
    this.addSql(`create index "support_tickets_user_id_index" on "support_tickets" ("user_id");`);
    this.addSql(
      `create index "support_tickets_assigned_to_id_index" on "support_tickets" ("assigned_to_id");`,
    );
    this.addSql(`create index "support_tickets_closed_at_index" on "support_tickets" ("closed_at");`);

    this.addSql(
      `create table "support_messages" ("id" bigserial primary key, "ticket_id" uuid not null, "author_id" uuid null, "author_role" text not null, "body" text not null, "attachment_asset_id" uuid null, "created_at" timestamptz not null, "emailed_at" timestamptz null);`,
    );
    this.addSql(`create index "support_messages_ticket_id_index" on "support_messages" ("ticket_id");`);

    this.addSql(
      `create table "subscriptions" ("id" uuid not null, "user_id" uuid null, "plan_id" text not null, "status" text not null default 'pending', "checkout_session_id" varchar(255) not null, "stripe_subscription_id" varchar(255) null, "stripe_customer_id" varchar(255) null, "stripe_item_id" varchar(255) null, "current_period_start" timestamptz null, "current_period_end" timestamptz null, "cancel_at_period_end" boolean not null default false, "ends_at" timestamptz null, "cancel_requested_at" timestamptz null, "ended_at" timestamptz null, "end_reason" text null, "credits_granted" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "subscriptions_user_id_index" on "subscriptions" ("user_id");`);
    this.addSql(
      `alter table "subscriptions" add constraint "subscriptions_checkout_session_id_unique" unique ("checkout_session_id");`,
    );
    this.addSql(
      `alter table "subscriptions" add constraint "subscriptions_stripe_subscription_id_unique" unique ("stripe_subscription_id");`,
    );

    this.addSql(
      `create table "invoices" ("id" varchar(255) not null, "subscription_id" uuid null, "user_id" uuid null, "number" varchar(64) null, "status" text null, "amount_due" int not null default 0, "amount_paid" int not null default 0, "currency" varchar(3) not null default 'usd', "hosted_invoice_url" text null, "period_start" timestamptz null, "period_end" timestamptz null, "billing_reason" varchar(64) null, "credits" int not null default 0, "grant" text not null default 'none', "grant_note" text null, "payment_intent_id" varchar(255) null, "paid_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "invoices_subscription_id_index" on "invoices" ("subscription_id");`);
    this.addSql(`create index "invoices_user_id_index" on "invoices" ("user_id");`);
    this.addSql(`create index "invoices_payment_intent_id_index" on "invoices" ("payment_intent_id");`);

    this.addSql(`alter table "users" add "credits_owed" int not null default 0;`);
    this.addSql(`alter table "users" add constraint "users_credits_owed_check" check (credits_owed >= 0);`);

    this.addSql(`alter table "payments" add "payment_intent_id" varchar(255) null;`);
    this.addSql(`create index "payments_payment_intent_id_index" on "payments" ("payment_intent_id");`);

    this.addSql(`alter table "credit_ledger" drop constraint "credit_ledger_kind_check";`);
    this.addSql(`alter table "credit_ledger" add "shortfall" int null;`);
    this.addSql(
      `alter table "credit_ledger" add constraint "credit_ledger_kind_check" check ("kind" in ('grant', 'purchase', 'reserve', 'capture', 'release', 'refund', 'expire', 'subscription', 'refunded', 'disputed', 'dispute_won', 'owed_settled', 'carried_forward'));`,
    );

    this.addSql(
      `alter table "billing_totals" add constraint "billing_totals_record_check" check ("record" in ('payment', 'invoice', 'ledger'));`,
    );

    this.addSql(
      `alter table "support_tickets" add constraint "support_tickets_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "support_tickets" add constraint "support_tickets_assigned_to_id_foreign" foreign key ("assigned_to_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "support_tickets" add constraint "support_tickets_status_check" check ("status" in ('open', 'answered', 'closed'));`,
    );

    this.addSql(
      `alter table "support_messages" add constraint "support_messages_ticket_id_foreign" foreign key ("ticket_id") references "support_tickets" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "support_messages" add constraint "support_messages_author_role_check" check ("author_role" in ('creator', 'support'));`,
    );

    this.addSql(
      `alter table "subscriptions" add constraint "subscriptions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "subscriptions" add constraint "subscriptions_plan_id_check" check ("plan_id" in ('basic', 'pro'));`,
    );
    this.addSql(
      `alter table "subscriptions" add constraint "subscriptions_status_check" check ("status" in ('pending', 'expired', 'active', 'past_due', 'canceling', 'canceled'));`,
    );
    this.addSql(
      `alter table "subscriptions" add constraint "subscriptions_end_reason_check" check ("end_reason" in ('stripe', 'account_deleted'));`,
    );

    this.addSql(
      `alter table "invoices" add constraint "invoices_subscription_id_foreign" foreign key ("subscription_id") references "subscriptions" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_status_check" check ("status" in ('paid', 'failed', 'void', 'uncollectible'));`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_grant_check" check ("grant" in ('none', 'held', 'granted', 'not_granted'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "support_messages" drop constraint "support_messages_ticket_id_foreign";`);
    this.addSql(`alter table "invoices" drop constraint "invoices_subscription_id_foreign";`);

    this.addSql(`drop table if exists "billing_totals" cascade;`);
    this.addSql(`drop table if exists "support_tickets" cascade;`);
    this.addSql(`drop table if exists "support_messages" cascade;`);
    this.addSql(`drop table if exists "subscriptions" cascade;`);
    this.addSql(`drop table if exists "invoices" cascade;`);

    this.addSql(`alter table "credit_ledger" drop constraint "credit_ledger_kind_check";`);
    this.addSql(`alter table "credit_ledger" drop column "shortfall";`);
    this.addSql(
      `alter table "credit_ledger" add constraint "credit_ledger_kind_check" check ("kind" in ('grant', 'purchase', 'reserve', 'capture', 'release', 'refund', 'expire'));`,
    );

    this.addSql(`drop index "payments_payment_intent_id_index";`);
    this.addSql(`alter table "payments" drop column "payment_intent_id";`);

    this.addSql(`alter table "users" drop constraint "users_credits_owed_check";`);
    this.addSql(`alter table "users" drop column "credits_owed";`);
  }
}
