// A row read as plain data instead of an entity, for a read that only shows it (a job's
// status, read again and again by an open page): MikroORM's mapping of a 40-column row
// into a managed entity (hydration, identity map, change-tracking snapshot) was most of
// that read's own CPU. The row comes as `to_jsonb(...)` and is named and typed by the
// entity's own metadata, so a column added to the entity is read here too.
import { ReferenceKind, type EntityMetadata, type EntityName, type MikroORM } from '@mikro-orm/postgresql';

interface Field {
  /** The entity's property name. */
  name: string;
  /** The column's name in the row. */
  column: string;
  date: boolean;
}

const fieldsByEntity = new WeakMap<EntityMetadata, readonly Field[]>();

/**
 * Column types whose JSON form is the value the entity holds (or a date, converted). A
 * decimal or a bigint is a JSON number here but a string in the entity, a binary is
 * text: an entity with such a column is refused rather than read wrong.
 */
const PLAIN_CUSTOM_TYPES = new Set(['UuidType', 'JsonType', 'DoubleType', 'IntegerType', 'BooleanType']);
const PLAIN_RUNTIME_TYPES = new Set(['string', 'number', 'boolean', 'Date', 'unknown']);

function readable(meta: EntityMetadata, p: EntityMetadata['props'][number]): void {
  const custom = p.customType?.constructor.name;
  const plain = custom ? PLAIN_CUSTOM_TYPES.has(custom) : PLAIN_RUNTIME_TYPES.has(p.runtimeType);
  if (!plain)
    throw new Error(`${meta.className}.${p.name} (${custom ?? p.runtimeType}) is not read as plain data`);
}

function fieldsOf(meta: EntityMetadata): readonly Field[] {
  let fields = fieldsByEntity.get(meta);
  if (!fields) {
    fields = meta.props
      .filter(
        (p) =>
          p.fieldNames?.length === 1 &&
          p.persist !== false &&
          (p.kind === ReferenceKind.SCALAR || (p.kind === ReferenceKind.MANY_TO_ONE && p.mapToPk)),
      )
      .map((p) => {
        readable(meta, p);
        return {
          name: p.name,
          column: p.fieldNames[0]!,
          date: (p.customType?.runtimeType ?? p.runtimeType ?? p.type) === 'Date',
        };
      });
    fieldsByEntity.set(meta, fields);
  }
  return fields;
}

/**
 * The properties of `entity` from a `to_jsonb` row of its table, as the entity would hold
 * them (dates as Dates, a many-to-one mapped to its key as that key); a plain object, not
 * managed by any entity manager, so read-only.
 */
export function plainRow<E extends object>(
  orm: MikroORM,
  entity: EntityName<E>,
  row: Record<string, unknown>,
): Readonly<E> {
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(orm.getMetadata().get(entity))) {
    const value = row[field.column];
    out[field.name] = value == null ? null : field.date ? new Date(value as string) : value;
  }
  return out as E;
}
