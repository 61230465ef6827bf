//! sobaucu-hub as a library: the hub's store ([`store`]), its HTTP face ([`server`]) and its
//! USB bundles ([`bundles`]). The `sobaucu-hub` binary is the command line over these; the
//! benchmark runs the same server in-process.

pub mod bundles;
pub mod server;
pub mod store;
