// The platform's PostgreSQL driver: MikroORM's, its errors without the values PostgreSQL
// quotes in them (private-errors.ts), its transactions giving back a connection the
// server dropped (lost-connections.ts).
import type { Configuration, ConnectionOptions } from '@mikro-orm/core';
import { PostgreSqlConnectionReleasingLost } from './lost-connections.ts';
import { PostgreSqlDriverWithoutValues } from './private-errors.ts';

export class PlatformPostgreSqlDriver extends PostgreSqlDriverWithoutValues {
  constructor(config: Configuration) {
    super(config);
    // MikroORM's driver names its connection class in its own constructor only.
    Object.assign(this, { connection: new PostgreSqlConnectionReleasingLost(this.config) });
  }

  protected override createReplicas(): PostgreSqlConnectionReleasingLost[] {
    return super.createReplicas(
      (options: ConnectionOptions) => new PostgreSqlConnectionReleasingLost(this.config, options, 'read'),
    );
  }
}
