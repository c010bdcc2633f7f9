// withCarried (stores/sql-sets.ts): a write carried ahead of another statement, whatever
// shape that statement's own WITH takes.
import { describe, expect, it } from 'vitest';
import { setGivenColumns, withCarried } from '../../stores/sql-sets.ts';

const carried = {
  sql: 'reset as (update provider_health set failures = 0 where provider = ?)',
  values: ['luma'],
};

describe('withCarried', () => {
  it('leaves a statement alone when nothing is carried', () => {
    expect(withCarried('select 1 where ? = ?', [1, 2])).toEqual({
      sql: 'select 1 where ? = ?',
      values: [1, 2],
    });
  });

  it('opens a WITH for a statement that has none, the carried values first', () => {
    expect(withCarried('  update jobs set status = ? where id = ?', ['running', 'j1'], carried)).toEqual({
      sql: `with ${carried.sql} update jobs set status = ? where id = ?`,
      values: ['luma', 'running', 'j1'],
    });
  });

  it('joins a WITH written in any case and followed by any spacing', () => {
    for (const own of ['with', 'WITH', 'With']) {
      for (const gap of [' ', '\n  ', '\t']) {
        const { sql } = withCarried(`${own}${gap}j as (select ?) select * from j`, ['x'], carried);
        expect(sql).toBe(`with ${carried.sql}, j as (select ?) select * from j`);
      }
    }
  });

  it('keeps RECURSIVE at the head of the WITH it joins', () => {
    const { sql, values } = withCarried(
      'WITH RECURSIVE n(i) as (select 1 union all select i + 1 from n where i < ?) select * from n',
      [3],
      carried,
    );
    expect(sql).toBe(
      `with recursive ${carried.sql}, n(i) as (select 1 union all select i + 1 from n where i < ?) select * from n`,
    );
    expect(values).toEqual(['luma', 3]);
  });

  it('does not take a name that starts with "with" for a WITH', () => {
    const { sql } = withCarried('withdrawals_view', [], carried);
    expect(sql).toBe(`with ${carried.sql} withdrawals_view`);
  });

  it('takes only a WITH that opens the statement, RECURSIVE after any spacing', () => {
    const later = "select 'starts with ' || ? as label";
    expect(withCarried(later, ['x'], carried).sql).toBe(`with ${carried.sql} ${later}`);
    const { sql } = withCarried('with  recursive\tn(i) as (select 1) select * from n', [], carried);
    expect(sql).toBe(`with recursive ${carried.sql}, n(i) as (select 1) select * from n`);
  });
});

describe('setGivenColumns', () => {
  it('sets each column given a value, null included, and keeps a column left undefined', () => {
    const sets = ['updated_at = now()'];
    const values: unknown[] = ['first'];
    setGivenColumns(sets, values, [
      ['status', 'running'],
      ['error', undefined],
      ['provider_job_id', null],
    ]);
    expect(sets).toEqual(['updated_at = now()', 'status = ?', 'provider_job_id = ?']);
    expect(values).toEqual(['first', 'running', null]);
  });
});
