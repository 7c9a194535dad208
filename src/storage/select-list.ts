/**
 * A select list of table `alias`: each entry is `column` or `column AS name`, selected as
 * `alias.column AS "name"` (the column's own name by default). The names are quoted so every
 * engine keeps their case: PostgreSQL folds unquoted names to lower case, SQLite accepts both.
 */
export function selectList(alias: string, columns: readonly string[]): string {
  return columns
    .map((column) => {
      const [name, as = name] = column.split(' AS ');
      return `${alias}.${name} AS "${as}"`;
    })
    .join(', ');
}
