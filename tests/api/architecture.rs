//! The shape of the code and of the database, checked against what they must
//! follow: layers that only point down, and tables tracked as the resource
//! registry says.

use crate::helpers::spawn_app;
use diesel::prelude::*;
use es_registry::domain::collection::Collection;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each layer and the layers it may use (itself and those below it).
/// The HTTP edge reaches storage only through the services (whose vocabulary
/// re-exports the records and rows the contract shows); configuration is a
/// layer of its own, read by the edge and the command line.
const LAYERS: [(&str, &[&str]); 7] = [
    ("domain", &["domain"]),
    ("crypto", &["crypto"]),
    ("config", &["config", "crypto", "domain"]),
    ("db", &["db", "crypto", "domain"]),
    ("service", &["service", "db", "crypto", "domain"]),
    ("api", &["api", "service", "crypto", "domain", "config"]),
    ("cli", &["cli", "service", "db", "crypto", "domain", "config"]),
];

/// The crate's top-level modules: what a `crate::` path can point into.
const MODULES: [&str; 8] = ["api", "cli", "config", "crypto", "db", "domain", "service", "startup"];

fn sources(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let Ok(entries) = std::fs::read_dir(path) else { return Vec::new() };
    entries.flat_map(|e| sources(&e.unwrap().path())).filter(|p| p.extension().is_some_and(|x| x == "rs")).collect()
}

/// The top-level modules a source file's code (not its comments) names through `crate::`.
fn uses(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines().map(str::trim_start).filter(|l| !l.starts_with("//")) {
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + "crate::".len()..];
            let module: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            // `crate::x!` is a macro exported at the root, not a module.
            if MODULES.contains(&module.as_str()) && !rest[module.len()..].starts_with('!') {
                found.insert(module);
            }
        }
    }
    found
}

#[test]
fn layers_point_down() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    let mut files = 0;
    for (layer, allowed) in LAYERS {
        let mut paths = sources(&root.join(layer));
        paths.extend(sources(&root.join(format!("{layer}.rs"))));
        assert!(!paths.is_empty(), "the {layer} layer has sources");
        for path in paths {
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for module in uses(&text) {
                if !allowed.contains(&module.as_str()) {
                    violations.push(format!("{} ({layer}) uses crate::{module}", path.strip_prefix(&root).unwrap().display()));
                }
            }
        }
    }
    assert!(files > 50, "the walk found the sources ({files})");
    assert!(violations.is_empty(), "a layer imports from one above it:\n{}", violations.join("\n"));
    // The check itself finds an upward import.
    assert!(uses("use crate::api::ApiError;\n// crate::service\nlet x = crate::with_resource!(c, R => 1);").contains("api"));
    assert_eq!(uses("// use crate::api::ApiError;\nlet x = crate::with_resource!(c, R => 1);"), BTreeSet::new());
}

#[derive(QueryableByName)]
struct Trigger {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    argument: String,
}

#[tokio::test]
async fn every_registry_table_is_tracked_as_the_registry_says() {
    let app = spawn_app().await;
    let mut conn = PgConnection::establish(&app.database_url).unwrap();
    let triggers: Vec<Trigger> = diesel::sql_query(
        "SELECT c.relname::text AS table, t.tgname::text AS name, replace(encode(t.tgargs, 'escape'), '\\000', '') AS argument
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal",
    )
    .load(&mut conn)
    .unwrap();
    let of =
        |table: &str| -> BTreeSet<(String, String)> { triggers.iter().filter(|t| t.table == table).map(|t| (t.name.clone(), t.argument.clone())).collect() };
    for collection in Collection::ALL {
        let table = collection.spec().table;
        let found = of(table);
        let has = |name: &str, argument: &str| found.contains(&(format!("{table}_{name}"), argument.to_owned()));
        assert!(has("set_updated_at", ""), "{table} keeps updated_at: {found:?}");
        assert!(has("notify", ""), "{table} notifies the response caches: {found:?}");
        let logged = ["log_insert", "log_update", "log_delete"].map(|name| has(name, collection.path()));
        if collection.public() {
            assert_eq!(logged, [true; 3], "{table} is in the change feed as {}: {found:?}", collection.path());
        } else {
            assert!(found.iter().all(|(name, _)| !name.contains("_log_")), "{table} is personal data and never in the feed: {found:?}");
        }
    }
    // Nothing else writes to the feed's log under a name the feed cannot serve.
    for trigger in triggers.iter().filter(|t| t.name.contains("_log_")) {
        let collection = Collection::from_path(&trigger.argument);
        assert!(
            collection.is_some_and(|c| c.public() && c.spec().table == trigger.table),
            "{} on {} logs as {}",
            trigger.name,
            trigger.table,
            trigger.argument
        );
    }
}
