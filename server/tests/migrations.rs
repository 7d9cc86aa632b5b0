//! The SQLite and PostgreSQL migration trees must give the same schema:
//! the same tables, columns (normalised types, nullability), primary keys,
//! indexes, unique constraints and foreign keys. A migration added to one
//! tree and not the other, or written differently, fails here.

mod common;

use common::{Backend, TestApp};
use std::collections::BTreeSet;

/// Everything compared, as sortable text.
#[derive(Debug, Default)]
struct Schema {
    columns: BTreeSet<String>,
    primary_keys: BTreeSet<String>,
    indexes: BTreeSet<String>,
    foreign_keys: BTreeSet<String>,
}

/// SQLite's declared types and PostgreSQL's, reduced to one vocabulary.
/// Times are TEXT on SQLite (ISO 8601, as sqlx writes them) and
/// TIMESTAMPTZ on PostgreSQL; by this schema's convention every time
/// column's name ends in `_at`, which the comparison relies on (and so
/// enforces).
fn normal_type(column: &str, declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    let class = match t.as_str() {
        "integer" | "bigint" | "smallint" | "int" => "integer",
        "real" | "double precision" | "float8" => "real",
        "boolean" | "bool" => "bool",
        "text" | "character varying" | "varchar" => "text",
        "timestamp with time zone" | "timestamptz" => "time",
        "bytea" | "blob" => "bytes",
        other => return format!("unknown:{other}"),
    };
    if class == "text" && (column.ends_with("_at") || column == "at") { "time".into() } else { class.into() }
}

async fn sqlite_schema(app: &TestApp) -> Schema {
    let server::db::Db::Sqlite(pool) = &app.db else { unreachable!() };
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut s = Schema::default();
    for t in &tables {
        let cols: Vec<(i64, String, String, i64, Option<String>, i64)> =
            sqlx::query_as(&format!("PRAGMA table_info(\"{t}\")")).fetch_all(pool).await.unwrap();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (_, name, declared, notnull, _, pk_pos) in cols {
            // A PRIMARY KEY column is NOT NULL whether or not it says so.
            let nullable = notnull == 0 && pk_pos == 0;
            s.columns.insert(format!("{t}.{name} {} {}", normal_type(&name, &declared), nullable_word(nullable)));
            if pk_pos > 0 {
                pk.push((pk_pos, name));
            }
        }
        pk.sort();
        s.primary_keys.insert(format!("{t}({})", pk.into_iter().map(|(_, n)| n).collect::<Vec<_>>().join(", ")));
        let indexes: Vec<(i64, String, i64, String, i64)> =
            sqlx::query_as(&format!("PRAGMA index_list(\"{t}\")")).fetch_all(pool).await.unwrap();
        for (_, index, unique, origin, _) in indexes {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<(i64, i64, Option<String>)> =
                sqlx::query_as(&format!("PRAGMA index_info(\"{index}\")")).fetch_all(pool).await.unwrap();
            let names: Vec<String> =
                cols.into_iter().map(|(_, _, n)| n.unwrap_or_else(|| "<expression>".into())).collect();
            s.indexes.insert(format!("{t}({}){}", names.join(", "), if unique == 1 { " unique" } else { "" }));
        }
        // id, seq, table, from, to, on_update, on_delete, match
        type ForeignKey = (i64, i64, String, String, Option<String>, String, String, String);
        let fks: Vec<ForeignKey> =
            sqlx::query_as(&format!("PRAGMA foreign_key_list(\"{t}\")")).fetch_all(pool).await.unwrap();
        for (_, _, table, from, to, _, on_delete, _) in fks {
            let to = to.unwrap_or_else(|| "id".into());
            s.foreign_keys.insert(format!("{t}.{from} -> {table}.{to} on delete {}", on_delete.to_lowercase()));
        }
    }
    s
}

fn nullable_word(nullable: bool) -> &'static str {
    if nullable { "null" } else { "not null" }
}

async fn postgres_schema(app: &TestApp) -> Schema {
    let server::db::Db::Postgres(pool) = &app.db else { unreachable!() };
    let mut s = Schema::default();
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (t, name, declared, nullable) in cols {
        s.columns.insert(format!("{t}.{name} {} {}", normal_type(&name, &declared), nullable_word(nullable == "YES")));
    }
    // Indexes, with their columns in order; expressions have no column.
    let indexes: Vec<(String, bool, bool, Vec<String>)> = sqlx::query_as(
        "SELECT t.relname::text, ix.indisunique, ix.indisprimary, \
                ARRAY(SELECT COALESCE(a.attname::text, '<expression>') FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
                      LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0 \
                      ORDER BY k.n) \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         WHERE ns.nspname = 'public' AND t.relname <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (t, unique, primary, cols) in indexes {
        if primary {
            s.primary_keys.insert(format!("{t}({})", cols.join(", ")));
        } else {
            s.indexes.insert(format!("{t}({}){}", cols.join(", "), if unique { " unique" } else { "" }));
        }
    }
    let fks: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text, b.attname::text, \
                CASE c.confdeltype WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' WHEN 'r' THEN 'restrict' \
                     WHEN 'd' THEN 'set default' ELSE 'no action' END \
         FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = c.confkey[1] \
         WHERE c.contype = 'f' AND ns.nspname = 'public'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (t, from, table, to, on_delete) in fks {
        s.foreign_keys.insert(format!("{t}.{from} -> {table}.{to} on delete {on_delete}"));
    }
    s
}

fn same(what: &str, sqlite: &BTreeSet<String>, postgres: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for only in sqlite.difference(postgres) {
        out.push(format!("{what} only on SQLite: {only}"));
    }
    for only in postgres.difference(sqlite) {
        out.push(format!("{what} only on PostgreSQL: {only}"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_give_the_same_schema() {
    let lite = TestApp::new(Backend::Sqlite).await;
    let pg = TestApp::new(Backend::Postgres).await;
    let (a, b) = (sqlite_schema(&lite).await, postgres_schema(&pg).await);
    assert!(a.columns.len() > 50 && a.indexes.len() > 10 && a.foreign_keys.len() > 5, "the schema was read: {a:?}");
    let mut problems = Vec::new();
    problems.extend(same("column", &a.columns, &b.columns));
    problems.extend(same("primary key", &a.primary_keys, &b.primary_keys));
    problems.extend(same("index", &a.indexes, &b.indexes));
    problems.extend(same("foreign key", &a.foreign_keys, &b.foreign_keys));
    let unknown: Vec<&String> = a.columns.iter().chain(&b.columns).filter(|c| c.contains("unknown:")).collect();
    assert!(unknown.is_empty(), "types this test does not know: {unknown:?}");
    assert!(problems.is_empty(), "the migration trees differ:\n{}", problems.join("\n"));
}

#[test]
fn types_normalise_to_one_vocabulary() {
    assert_eq!(normal_type("created_at", "TEXT"), "time");
    assert_eq!(normal_type("created_at", "timestamp with time zone"), "time");
    assert_eq!(normal_type("name", "TEXT"), "text");
    assert_eq!(normal_type("id", "BIGINT"), normal_type("id", "INTEGER"));
    assert_eq!(normal_type("x", "money"), "unknown:money");
}
