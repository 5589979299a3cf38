//! `workspace/executeCommand`: `tenet.showFailing`, which lists a control's failing
//! results (the command behind the lenses).

use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::ExecuteCommandParams;

use crate::live::{Live, SHOW_FAILING};
use crate::state::Snapshot;

/// What the command returns, and a one-line message for the editor to show.
pub struct Outcome {
    /// The command's result: `{control, results: [...], total}` (the first failing results
    /// and how many fail), or `{control, results: null}` without evidence.
    pub value: Value,
    /// A summary for `window/showMessage`.
    pub message: String,
}

/// Runs a command.
pub fn handle(snapshot: &Snapshot, live: &Live, params: ExecuteCommandParams) -> Result<Outcome> {
    if params.command != SHOW_FAILING {
        return Err(Error::invalid_params(format!("unknown command `{}`", params.command)));
    }
    let Some(Value::String(control)) = params.arguments.first() else {
        return Err(Error::invalid_params("`tenet.showFailing` takes a control's qualified id"));
    };
    let known = tenet_db::program(&snapshot.db, snapshot.workspace).control_by_qualified(control).is_some();
    if !known {
        return Err(Error::invalid_params(format!("no control `{control}` in the workspace")));
    }
    let Some((failing, total)) = live.failing(snapshot, control) else {
        let message = match live.evidence_roots.as_slice() {
            [] => format!(
                "`{control}`: no results, since no evidence directory is set (`[evidence] roots` in \
                 `tenet.toml`, or the editor's `tenet.evidence.roots`)"
            ),
            roots => {
                let roots: Vec<String> = roots.iter().map(|r| format!("`{}`", r.display())).collect();
                format!(
                    "`{control}`: no results, since there is no evidence directory at {}",
                    roots.join(" or ")
                )
            }
        };
        return Ok(Outcome { value: json!({ "control": control, "results": null }), message });
    };
    let message = match total {
        0 => format!("`{control}`: nothing fails"),
        n if n > failing.len() => format!("`{control}`: {n} failing (the first {} listed)", failing.len()),
        n => format!("`{control}`: {n} failing"),
    };
    Ok(Outcome { value: json!({ "control": control, "results": failing, "total": total }), message })
}
