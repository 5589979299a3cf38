//! Packs shared across organisations: a group baseline, a sector pack, a consultancy's
//! pack. Organisations share policy the way they share code, and must be able to trust
//! what they pulled, so every pack is resolved to one version, locked with the hash of its
//! content, and verified on every load.
//!
//! Only [`fetch`] touches the network, and only when its caller allows it; everything
//! fetched lives in a [`Cache`] outside the project, keyed by what identifies it.

mod archive;
mod cache;
mod content;
mod error;
mod fetch;
mod git;
mod lock;
mod manifest;
mod project;
mod resolve;

pub use archive::{ARCHIVE_MANIFEST, ArchiveManifest, Unpacked, build as build_archive, unpack};
pub use cache::Cache;
pub use content::{MAX_BYTES, MAX_FILES, PackFile, collect, content_hash, sha256_hex};
pub use error::{PackError, PackErrorDetails, Result};
pub use fetch::Fetcher;
pub use lock::{LOCK_FILE, LockedPack, Lockfile};
pub use manifest::{BUILT_IN, Dependency, GitPin, MANIFEST_FILE, Manifest, SourceSpec, is_valid_name};
pub use project::{FoundIn, LoadedPack, LockChange, Project, VENDOR_DIR};
pub use resolve::{Keep, ResolvedPack, Source, relative};

/// This build of Tenet's version, which manifests' `tenet` requirements are checked against.
pub fn tenet_version() -> semver::Version {
    semver::Version::parse(env!("CARGO_PKG_VERSION")).unwrap_or_else(|_| semver::Version::new(0, 0, 0))
}
