/**
 * The two SQL functions a month-partitioned log needs (the upkeep of
 * #support/month_partitions calls them): one makes the partitions of the
 * coming months, one drops those wholly before a cutoff. Partitions are
 * named `<table>_yYYYYmMM` and live in a schema of their own.
 *
 * Migrations 0005 and 0010 wrote the same functions out by hand for the
 * heartbeat log and the usage events before this existed; they have
 * shipped, so they stay as they are.
 */
export function monthPartitionFunctions(options: {
  table: string
  schema: string
  ensureFunction: string
  dropFunction: string
}) {
  const { table, schema, ensureFunction, dropFunction } = options
  // Where the year and the month stand in `<table>_yYYYYmMM` (1-based, for substring()).
  const yearAt = table.length + 3
  const monthAt = yearAt + 5
  const ensure = `
      CREATE FUNCTION ${ensureFunction}(from_at timestamptz, months_ahead integer)
      RETURNS SETOF text LANGUAGE plpgsql AS $$
      DECLARE
        month_start date := date_trunc('month', from_at AT TIME ZONE 'UTC')::date;
        partition_name text;
      BEGIN
        FOR i IN 0..months_ahead LOOP
          partition_name := format('${table}_y%sm%s',
            to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
          IF to_regclass('${schema}.' || partition_name) IS NULL THEN
            EXECUTE format(
              'CREATE TABLE ${schema}.%I PARTITION OF public.${table} '
              'FOR VALUES FROM (%L) TO (%L)',
              partition_name,
              (month_start::timestamp AT TIME ZONE 'UTC'),
              ((month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
            RETURN NEXT partition_name;
          END IF;
          month_start := (month_start + interval '1 month')::date;
        END LOOP;
      END
      $$
    `
  const drop = `
      CREATE FUNCTION ${dropFunction}(cutoff timestamptz)
      RETURNS SETOF text LANGUAGE plpgsql AS $$
      DECLARE
        partition record;
      BEGIN
        FOR partition IN
          SELECT child.relname AS name
          FROM pg_inherits
          JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
          JOIN pg_class child ON child.oid = pg_inherits.inhrelid
          JOIN pg_namespace ns ON ns.oid = child.relnamespace
          WHERE parent.relname = '${table}' AND ns.nspname = '${schema}'
            AND child.relname ~ '^${table}_y[0-9]{4}m[0-9]{2}$'
            AND (to_date(substring(child.relname from ${yearAt} for 4) || substring(child.relname from ${monthAt} for 2), 'YYYYMM')
                 + interval '1 month')::timestamp AT TIME ZONE 'UTC' <= cutoff
        LOOP
          EXECUTE format('DROP TABLE ${schema}.%I', partition.name);
          RETURN NEXT partition.name;
        END LOOP;
      END
      $$
    `
  return { ensure, drop }
}
