import { Migration } from '@mikro-orm/migrations';

export class Migration20261122021051_billing extends Migration {
  override name = 'Migration20261122021051_billing';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "stripe_events" ("id" varchar(255) not null, "type" varchar(100) not null, "received_at" timestamptz not null, primary key ("id"));`,
    );

    this.addSql(
      `create table "payments" ("id" varchar(255) not null, "user_id" uuid null, "pack" varchar(32) not null, "credits" int not null, "amount" int not null, "currency" varchar(3) not null, "status" text not null default 'pending', "created_at" timestamptz not null, "paid_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "payments_user_id_index" on "payments" ("user_id");`);

    this.addSql(
      `alter table "payments" add constraint "payments_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "payments" add constraint "payments_status_check" check ("status" in ('pending', 'paid', 'expired'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "stripe_events" cascade;`);
    this.addSql(`drop table if exists "payments" cascade;`);
  }
}
