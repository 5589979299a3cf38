# The benchmark's rules in idiomatic Rego: every join goes through a set or object built
# once by a comprehension, never a nested scan. Dates are ISO strings, so they compare as
# text; the cut-off dates are computed by the generator and passed in `input.cutoffs`.
package bench

import rego.v1

assessed_since contains a.system if {
	some a in input.impact_assessments
	a.approved_on >= input.cutoffs.impact
}

monitored_since contains m.system if {
	some m in input.monitoring
	m.checked_on >= input.cutoffs.monitoring
}

trained_since contains t.person if {
	some t in input.training
	t.completed_on >= input.cutoffs.training
}

allowed_licenses := {"apache-2.0", "mit", "cc-by-4.0", "openrail"}

violations contains sprintf("impact_assessed:%s", [s.id]) if {
	some s in input.systems
	s.deployed
	s.risk_tier == "high"
	not assessed_since[s.id]
}

violations contains sprintf("owned:%s", [s.id]) if {
	some s in input.systems
	s.deployed
	not s.owner
}

violations contains sprintf("monitored:%s", [s.id]) if {
	some s in input.systems
	s.deployed
	not monitored_since[s.id]
}

violations contains sprintf("licensed:%s", [c.id]) if {
	some c in input.model_cards
	not allowed_licenses[lower(c.license)]
}

violations contains sprintf("trained:%s", [p.id]) if {
	some p in input.people
	p.ai_role
	not trained_since[p.id]
}

violations contains sprintf("incident_closed:%s", [i.id]) if {
	some i in input.incidents
	i.severity == "high"
	not i.closed_on
}
