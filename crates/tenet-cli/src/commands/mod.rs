//! One module per subcommand.

pub mod check;
pub mod evidence;
pub mod explain;
pub mod fmt;
pub mod frameworks;
pub mod init;
pub mod lsp;
pub mod pack;
pub mod packs;
pub mod structured_template;
pub mod test;
pub mod watch;

/// The date of the run: `--as-of` when given, else today in UTC. Reports record it, so a
/// run can be repeated exactly.
pub fn today(as_of: Option<jiff::civil::Date>) -> jiff::civil::Date {
    as_of.unwrap_or_else(tenet_db::today_utc)
}
