//! The demo data: the five seed fiches, loaded by `scripts/load-demo.sh` over
//! HTTP, read back with every fact DOMAIN.md says must survive.
