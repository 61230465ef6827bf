//! sobaucu-client: the child side of sync, over HTTP. A node (the CLI, the desktop app) or a
//! hub linked to its parent enrols with a one-time code, then syncs in rounds: each round is
//! one request that pushes one batch of what the parent has not acknowledged and asks for one
//! batch of what the child lacks. A cut loses at most the round in flight; the next round
//! resumes from the acknowledged positions, so nothing acknowledged is sent again.
//!
//! What a child is — its log, its cursors — is the [`Child`] trait, implemented here for a
//! node's ledger ([`sobaucu_core::Store`]) and by the hub for its own store. No rule of the
//! ledger lives here.

pub mod bundle;
mod child;
pub mod http;

pub use child::{Child, ParentLink};
pub use http::{ClientError, Progress, enroll, sync};
