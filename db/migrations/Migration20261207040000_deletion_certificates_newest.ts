import { Migration } from '@mikro-orm/migrations';

// The legal team's certificates listed newest first a page at a time: read from an index,
// not by sorting every certificate (one per deleted account).
export class Migration20261207040000_deletion_certificates_newest extends Migration {
  override name = 'Migration20261207040000_deletion_certificates_newest';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "deletion_certificates_newest_index" on "deletion_certificates" ("issued_at", "id");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "deletion_certificates_newest_index";`);
  }
}
