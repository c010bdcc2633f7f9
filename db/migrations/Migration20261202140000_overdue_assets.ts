import { Migration } from '@mikro-orm/migrations';

/** The overdue sweep reads the assets still to delete in delete-at order, never the deleted ones. */
export class Migration20261202140000_overdue_assets extends Migration {
  override name = 'Migration20261202140000_overdue_assets';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "assets_overdue_index" on "assets" ("delete_at", "id") where status <> 'deleted';`,
    );
  }
}
