//! sobaucu-hub as a library: the hub's store ([`store`]), the protocol's steps
//! ([`service`]: one sealed request in, one sealed answer out, for HTTP and bundles alike), its
//! HTTP face ([`server`]), its USB bundles ([`bundles`]) and its link to its own parent
//! ([`relay`]). The `sobaucu-hub` binary is the command line over these; the benchmark runs
//! the same server in-process.

pub mod bundles;
pub mod metrics;
pub mod pg;
pub mod pool;
pub mod relay;
pub mod server;
pub mod service;
pub mod sim;
pub mod store;
