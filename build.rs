//! Migrations are embedded in the binary (`diesel_migrations::embed_migrations!`),
//! which cargo does not know reads `migrations/`: without this a new or changed
//! migration is left out of the build until the embedding file changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
