//! What the organisation decided about a control: excluded (not applicable, with the
//! justification the Statement of Applicability shows), conditional (`applies when`), or
//! waived for a while. Applied to a control's raw results.

use std::sync::Arc;

use tenet_sema::program::{ControlId, FileId, Program, Waiver};

use crate::results::{RuleResult, Status};
use crate::rules::{RuleContext, condition_holds};

/// Every one of `results` with `status`, for `why`.
fn all_as(mut results: Vec<RuleResult>, status: Status, why: &str) -> Vec<RuleResult> {
    let why: Arc<str> = Arc::from(why);
    for r in &mut results {
        r.status = status;
        r.message = Some(why.clone());
    }
    results
}

/// Gives the one-based line of a byte offset in a policy file, or 0 where the text is not
/// at hand: what names a waiver's place in the results it decides.
pub type PolicyLine<'a> = dyn Fn(FileId, u32) -> u32 + 'a;

/// Applies exclusions, the control's `applies when` and waivers to its results. A result a
/// waiver decides, waived or failed because the waiver expired, names the waiver's file and
/// line (`line_of`), so that an auditor finds the decision behind it.
pub fn tailor(
    program: &Program,
    cx: &RuleContext<'_>,
    control: ControlId,
    mut results: Vec<RuleResult>,
    line_of: &PolicyLine<'_>,
) -> Vec<RuleResult> {
    let Some(c) = program.controls.get(control.index()) else { return results };
    if let Some(exclusion) = program.exclusions.iter().find(|e| e.control == control) {
        for r in &mut results {
            r.status = Status::NotApplicable;
            r.message = Some(Arc::from(format!("declared not applicable: {}", exclusion.because)));
            r.citations = crate::Citations::default();
            r.more_citations = 0;
        }
        return results;
    }
    if let Some(applies) = &c.applies {
        // A condition over evidence of which none was there, or some could not be read,
        // cannot tell that the control does not apply: an empty inventory proves nothing.
        let kinds = || applies.kinds_read.iter().map(|k| (*k, cx.evidence.kind(*k)));
        let unread: Vec<&str> = kinds()
            .filter(|(_, docs)| !docs.unread().is_empty())
            .map(|(k, _)| program.kind_name(k))
            .collect();
        let none_there = !applies.kinds_read.is_empty() && kinds().all(|(_, docs)| docs.docs().is_empty());
        match condition_holds(cx, applies) {
            Ok(true) => {}
            Ok(false) if !unread.is_empty() => {
                let message = format!(
                    "cannot decide whether the control applies: some {} evidence could not be read",
                    unread.join(", ")
                );
                return all_as(results, Status::Error, &message);
            }
            Ok(false) if none_there => {
                let names: Vec<&str> = applies.kinds_read.iter().map(|k| program.kind_name(*k)).collect();
                let message = format!(
                    "no {} documents, so whether the control applies cannot be told",
                    names.join(" or ")
                );
                return all_as(results, Status::NoEvidence, &message);
            }
            Ok(false) => {
                return all_as(results, Status::NotApplicable, "the control's `applies when` is false");
            }
            Err(why) => {
                let message = format!("cannot decide whether the control applies: {why}");
                return all_as(results, Status::Error, &message);
            }
        }
    }
    // Each waiver with its place, worked out once however many results it decides.
    let waivers: Vec<(&Waiver, String)> = program
        .waivers
        .iter()
        .filter(|w| w.control == control)
        .map(|w| match line_of(w.file, w.span.start) {
            0 => (w, program.path(w.file).to_string()),
            line => (w, format!("{}:{line}", program.path(w.file))),
        })
        .collect();
    if waivers.is_empty() {
        return results;
    }
    for r in &mut results {
        if !matches!(r.status, Status::Fail | Status::NoEvidence) {
            continue;
        }
        let matching: Vec<_> = waivers
            .iter()
            .filter(|(w, _)| w.rule.as_ref().is_none_or(|rule| *rule == r.rule))
            .filter(|(w, _)| match (&w.subject, &r.subject) {
                (None, _) => true,
                (Some((kind, key)), Some(s)) => *program.kind_name(*kind) == *s.kind && **key == *s.key,
                (Some(_), None) => false,
            })
            .collect();
        let original = r.message.take();
        let prefix = original.map(|m| format!("{m}; ")).unwrap_or_default();
        if let Some((w, place)) =
            matching.iter().filter(|(w, _)| w.until >= cx.today).max_by_key(|(w, _)| w.until)
        {
            r.status = Status::Waived;
            r.message = Some(Arc::from(format!(
                "{prefix}waived until {} (approved by {}, {place}): {}",
                w.until, w.approved_by, w.because
            )));
        } else if let Some((w, place)) = matching.iter().max_by_key(|(w, _)| w.until) {
            r.status = Status::Fail;
            r.message = Some(Arc::from(format!(
                "{prefix}the waiver approved by {} at {place} expired on {} ({})",
                w.approved_by, w.until, w.because
            )));
        } else {
            r.message = (!prefix.is_empty()).then(|| Arc::from(prefix.trim_end_matches("; ")));
        }
    }
    results
}
