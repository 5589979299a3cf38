//! "Did you mean" suggestions for misspelled names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let score = strsim::jaro_winkler(&name.to_lowercase(), &candidate.to_lowercase());
        if score >= 0.85 && best.is_none_or(|(b, c)| score > b || (score == b && candidate < c)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["risk_tier", "deployed", "name", "owner"];
        assert_eq!(did_you_mean("risk_teir", fields), Some("risk_tier"));
        assert_eq!(did_you_mean("deploy", fields), Some("deployed"));
        assert_eq!(did_you_mean("budget", fields), None);
    }
}
