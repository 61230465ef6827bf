//! sobaucu-client: the child side of sync. A node (the CLI, the desktop app) or a hub linked to
//! its parent enrols with a one-time code that pins the hub's keys, then syncs in rounds: each
//! round is one sealed request that pushes one batch of what the parent has not acknowledged
//! and asks for one batch of what the child lacks, answered by one sealed answer. A cut loses
//! at most the round in flight; the next round resumes from the acknowledged positions.
//!
//! What a child is (its log, its positions) is the [`Child`] trait, implemented here for a
//! node's ledger ([`sobaucu_core::Store`]) and by the hub for its own store; the background
//! sync of the desktop app and of a hub's relay is [`scheduler`]. No rule of the ledger lives
//! here.

pub mod bundle;
mod child;
pub mod http;
pub mod passphrase;
pub mod restore;
pub mod scheduler;

pub use child::Child;
pub use http::{ClientError, Progress, enroll, health, sync};
