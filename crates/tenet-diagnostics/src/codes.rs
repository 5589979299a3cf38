//! The registry of diagnostic codes. A code never changes meaning once released: CI
//! baselines, editor filters and the documentation refer to it.

use serde::{Serialize, Serializer};

use crate::Severity;

/// A stable diagnostic code such as `T0102`, with its title and default severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    id: &'static str,
    title: &'static str,
    severity: Severity,
    explanation: &'static str,
}

impl Code {
    /// The code as written in output, `T0102`.
    pub fn id(self) -> &'static str {
        self.id
    }

    /// A short title, as listed by `tenet explain`.
    pub fn title(self) -> &'static str {
        self.title
    }

    /// The severity diagnostics with this code have unless stated otherwise.
    pub fn severity(self) -> Severity {
        self.severity
    }

    /// A paragraph on what the code means and how to fix it.
    pub fn explanation(self) -> &'static str {
        self.explanation
    }

    /// Looks a code up by its id.
    pub fn find(id: &str) -> Option<Code> {
        ALL_CODES.iter().copied().find(|c| c.id.eq_ignore_ascii_case(id))
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $id:literal, $sev:ident, $title:literal, $expl:literal; )*) => {
        impl Code {
            $( $(#[$doc])* pub const $name: Code = Code { id: $id, title: $title, severity: Severity::$sev, explanation: $expl }; )*
        }
        /// Every code, in numeric order.
        pub const ALL_CODES: &[Code] = &[ $( Code::$name ),* ];
    };
}

codes! {
    // T00xx: reading policy files.
    /// The text does not follow the grammar.
    SYNTAX = "T0001", Error, "syntax error",
        "The parser expected something else at this point. The message says what it expected; the rest of the file is still checked item by item.";
    /// Brackets, quantifiers or operators nest deeper than the parser allows.
    NESTING_TOO_DEEP = "T0002", Error, "nesting too deep",
        "Expressions may nest at most 64 levels deep. Deeper nesting is almost always generated input; split the expression with `let`.";
    /// A literal that reads well but denotes nothing: 2024-02-30, an integer too large.
    INVALID_LITERAL = "T0003", Error, "invalid literal",
        "A date must exist in the calendar (2024-02-29 does, 2023-02-29 does not), integers must fit in 64 bits, and escapes must name a Unicode scalar value.";
    /// A policy file that is not UTF-8 or is too large.
    UNREADABLE_SOURCE = "T0004", Error, "unreadable policy file",
        "Policy files must be UTF-8 text no larger than the configured limit.";

    // T01xx: names.
    /// A name that nothing in scope declares.
    UNKNOWN_NAME = "T0101", Error, "unknown name",
        "The name is not a variable bound by `for`, `let` or a quantifier, nor a parameter of this package or of a package it uses.";
    /// A field that the evidence schema does not declare.
    UNKNOWN_FIELD = "T0102", Error, "unknown schema field",
        "The schema of this evidence kind has no such field. Check the spelling, or add the field to the schema.";
    /// A schema name that no package in scope declares.
    UNKNOWN_SCHEMA = "T0103", Error, "unknown evidence kind",
        "No schema of this name is declared in this package or in a package it uses.";
    /// A `set` of a parameter that does not exist.
    UNKNOWN_PARAM = "T0104", Error, "unknown parameter",
        "`set` must name a parameter declared with `param`, qualified by its package when it is not in this one.";
    /// A waiver, exclusion, expectation or crosswalk naming a control that does not exist.
    UNKNOWN_CONTROL = "T0105", Error, "unknown control",
        "No control, clause or objective has this id in the named package.";
    /// A mapping to a framework that is not declared.
    UNKNOWN_FRAMEWORK = "T0106", Error, "unknown framework",
        "Frameworks are declared with `framework` in a package; `use` that package to map to it.";
    /// A mapping to a requirement the framework does not declare.
    UNKNOWN_REQUIREMENT = "T0107", Error, "unknown framework requirement",
        "The framework declares no requirement with this id. Invented ids are errors so that reports never cite requirements that do not exist.";
    /// A `use` of a package that cannot be found.
    UNKNOWN_PACKAGE = "T0108", Error, "unknown package",
        "The package is neither in the pack being checked nor one of the packs built into Tenet.";
    /// A `ref` to a kind that no schema declares.
    UNKNOWN_REF_KIND = "T0109", Error, "reference to an unknown evidence kind",
        "`ref Kind` must name a schema declared in scope.";
    /// An interpolated message that uses an unknown name.
    UNKNOWN_INTERPOLATION = "T0110", Error, "unknown name in message",
        "Every `{name}` in a message must be a variable, `let` binding or parameter in scope where the message is used.";
    /// A name declared by two used packages.
    AMBIGUOUS_NAME = "T0111", Error, "ambiguous name",
        "Two packages in scope declare this name; qualify it with the package name.";
    /// A `rule` selector naming a rule the control does not have.
    UNKNOWN_RULE = "T0112", Error, "unknown rule",
        "The control has no rule of this name.";
    /// A call to a function Tenet does not have.
    UNKNOWN_FUNCTION = "T0113", Error, "unknown function",
        "Tenet's functions are listed in the language reference; the language has no user-defined functions.";

    // T02xx: types.
    /// Operands or arguments of the wrong type.
    TYPE_MISMATCH = "T0201", Error, "type mismatch",
        "The operation is not defined for these types, such as comparing a date with a string or adding two dates.";
    /// A string compared with an enum field is not one of its values.
    ENUM_VALUE = "T0202", Error, "value not in the enum",
        "An enum field holds only the values its schema lists; a comparison with any other value can never be true.";
    /// A function called with the wrong number of arguments.
    ARGUMENT_COUNT = "T0203", Error, "wrong number of arguments",
        "The function takes a different number of arguments.";
    /// A `set` whose value does not have the parameter's type.
    SET_TYPE = "T0204", Error, "parameter set to a value of the wrong type",
        "The value given with `set` must have the type the parameter was declared with.";
    /// A regular expression that does not compile.
    INVALID_REGEX = "T0205", Error, "invalid regular expression",
        "`matches` takes a regular expression in the syntax of the Rust `regex` crate; look-around and back-references are not supported.";
    /// A condition that is not a boolean.
    NOT_BOOLEAN = "T0206", Error, "condition is not a boolean",
        "`where`, `require`, `satisfy` and `applies when` take a boolean expression.";
    /// A key field of a type that cannot identify a document.
    KEY_TYPE = "T0207", Error, "key field of the wrong type",
        "A key identifies a document; it must be a `string` or an `int`, and a schema has at most one.";
    /// A field access on something that has no fields.
    NOT_A_RECORD = "T0208", Error, "no fields on this value",
        "Only documents, records and references have fields.";
    /// A quantifier over something that is not a list.
    NOT_A_LIST = "T0209", Error, "not a list",
        "`x in expr` ranges over a list.";
    /// A quantifier or aggregate missing a part it needs.
    INCOMPLETE_QUANTIFIER = "T0210", Error, "incomplete quantifier",
        "`all` needs `satisfy` (`all x: Kind where filter satisfy condition`); `sum`, `min` and `max` need a value (`sum(x.hours for x: Kind)`); `count` takes none.";
    /// A document in a test that leaves out a required field.
    MISSING_FIELD = "T0211", Error, "missing field",
        "Every field that is not optional (`?`) must be given.";
    /// A parameter value that is not a constant.
    NOT_CONSTANT = "T0212", Error, "not a constant",
        "Parameter values may use literals, other parameters, operators, functions and `today`, but not evidence or variables, and parameters may not depend on themselves.";
    /// A field's `format` that is not on a date field, or cannot read a date.
    INVALID_DATE_FORMAT = "T0213", Error, "invalid date format",
        "`format` says how evidence writes a date field's dates when not as `YYYY-MM-DD`, with `strptime` directives: `%Y` the year, `%m` the month in digits (one or two), `%b` its name, `%d` the day. `date format \"%m/%d/%Y\"` reads 6/1/2024 and 12/17/2024. It applies to `date`, `date?` and `[date]` fields, and must give the year, the month and the day.";

    // T03xx: declarations and tailoring.
    /// Two declarations with the same id or name.
    DUPLICATE = "T0301", Error, "duplicate declaration",
        "Ids and names must be unique within their scope: controls and schemas within a package, fields within a schema, rules within a control.";
    /// A parameter set more than once.
    DUPLICATE_SET = "T0302", Error, "parameter set twice",
        "A package may set a parameter once; remove one of the `set` lines.";
    /// A clause of the standard marked not applicable.
    MANDATORY_CLAUSE = "T0303", Error, "clause cannot be excluded",
        "Clauses are requirements of the management system and always apply; only controls may be declared not applicable.";
    /// A control both excluded and waived or overridden, excluded twice, or a rule
    /// overridden twice where neither override can win.
    CONFLICTING_TAILORING = "T0304", Warning, "conflicting tailoring",
        "A control that is not applicable has nothing to waive or override. A rule is overridden (`override` or `disable`) at most once per package; when two packages override one rule, the package that uses the other wins, and when neither uses the other, neither override applies until a package that uses both overrides the rule.";
    /// A control, clause or objective that has no rule and no attestation.
    NO_RULES = "T0305", Warning, "control without rules",
        "A control without rules or attestations can never pass; it reports no evidence.";
    /// `package` missing, repeated, or not the first item.
    PACKAGE_DECLARATION = "T0306", Error, "misplaced package declaration",
        "Every policy file starts with exactly one `package` line.";
    /// A declaration that lacks the part that gives it meaning.
    INCOMPLETE = "T0307", Error, "incomplete declaration",
        "The declaration is missing a part an auditor relies on: an exclusion or waiver without a justification, a test without an expectation.";
    /// A local name that hides another.
    SHADOWED = "T0309", Warning, "shadowed name",
        "The binding hides a variable of the same name in an enclosing scope.";
    /// A `let` binding never used.
    UNUSED = "T0310", Warning, "unused binding",
        "The `let` binding is not used by the rule.";
    /// An `override` or `disable` of a rule of the package's own controls.
    OVERRIDE_OWN_RULE = "T0311", Error, "override of the package's own rule",
        "`override` and `disable` let a package tailor a rule of a package it uses, with a justification that reports show. A package's own rules are changed by editing them where they are declared.";
    /// A schema's `from` glob that cannot be read as a glob.
    INVALID_SOURCE_GLOB = "T0312", Error, "invalid source glob",
        "A schema's `from` globs select its evidence files by their path under the evidence root: `*` and `?` stay within a directory, `**` crosses directories, `[abc]` and `{a,b}` choose, and `\\` escapes a special character. A glob that cannot be read would match nothing.";
    /// A schema's `from` glob whose files are of a format Tenet does not read.
    UNREAD_SOURCE_FORMAT = "T0313", Warning, "source in a format Tenet does not read",
        "Tenet reads evidence from YAML (.yaml, .yml), JSON (.json), JSON Lines (.jsonl, .ndjson), TOML (.toml), CSV (.csv), TSV (.tsv) and Markdown (.md, .markdown) files; other files under the evidence root are not read, so a glob that selects only such files gives its schema no documents.";
    /// A source's `at` that names no place a document can have.
    INVALID_SOURCE_PLACE = "T0314", Error, "invalid source place",
        "`at` names the mapping keys, separated by dots, that lead from each document of a file to the list holding the kind's documents: `from \"registers/*.json\" at \"records\"`, or `at \"data.items\"` for a list two levels down. A last key `*` makes each entry of the mapping there a document, its key filling the kind's `key` field (`at \"systems.*\"`), so `*` comes last and the kind needs a key. No key may be empty. YAML, JSON, JSON Lines and TOML documents have such keys; a CSV or TSV file's rows and a Markdown file do not.";
    /// A schema's `delimiter`, `decimal` or `header` that a CSV file cannot be read with,
    /// or that no file takes.
    INVALID_CSV_DIALECT = "T0315", Error, "invalid CSV dialect",
        "`delimiter` names the one character between the cells of a row in the kind's CSV files, when it is not a comma: `delimiter \";\"` for the files a spreadsheet saves where the decimal mark is a comma, `delimiter \"\\t\"` for tabs, `delimiter \"|\"`. It is one ASCII character, not a letter, a digit, a quote or a line break, and applies to the `.csv` files the schema's `from` globs select; `.tsv` files are always separated by tabs, and a file whose first line declares its own (`sep=;`, as Excel writes) is read with that. `decimal \",\"` reads the numbers of the kind's CSV and TSV files with a decimal comma (0,85); `decimal \".\"` is the default. `header 3` reads the header of the kind's CSV and TSV files on line 3 of each, counted from 1 as an editor counts them, below a title kept by hand; the lines above it are not read.";
    /// A schema's `encoding` that names no encoding.
    UNKNOWN_ENCODING = "T0316", Error, "unknown encoding",
        "`encoding` names the text encoding of the kind's files with a WHATWG label, as browsers know them: `windows-1252` (what Excel saves CSV files in on Windows), `iso-8859-15`, `utf-16le`, `shift_jis`, `gbk`. A label no one knows would leave every file of the kind unread.";

    // T04xx: packages.
    /// Packages that use each other in a cycle.
    IMPORT_CYCLE = "T0401", Error, "import cycle",
        "Packages may not use each other in a cycle; move the shared declarations into a package both use.";
    /// A package that uses itself, or is used twice.
    REDUNDANT_USE = "T0402", Warning, "redundant use",
        "The package is already in scope.";

    // T05xx: evidence.
    /// An evidence file or directory that cannot be read, a file that is not text, or one
    /// too large.
    UNREADABLE_EVIDENCE = "T0501", Error, "unreadable evidence file",
        "The file or directory cannot be read (the user running Tenet may not read it, or it is a link to nothing), the file is not valid text in its encoding, or it is larger than the limit. Give the user running Tenet permission to read it; save the file as UTF-8, or declare its encoding on the schema that reads it (`encoding \"windows-1252\"`); split a large file into smaller ones. The rest of the evidence is still evaluated.";
    /// An evidence file that does not follow its format.
    MALFORMED_EVIDENCE = "T0502", Error, "malformed evidence file",
        "The file is not valid YAML, JSON, TOML, CSV or Markdown front matter, repeats a key (or a column that a field reads), or exceeds a nesting or document limit. The documents before the error, and the other files, are still evaluated.";
    /// A document without a field its schema requires.
    MISSING_EVIDENCE_FIELD = "T0503", Error, "missing required field",
        "The schema declares the field without `?`, so every document must have it. A word the schema says its files write for no value (`none \"N/A\"`) counts as missing. Add it, or make the field optional in the schema.";
    /// A value of the wrong type for its field.
    EVIDENCE_TYPE = "T0504", Error, "wrong type in evidence",
        "The value cannot be read as the field's type: dates are `YYYY-MM-DD`, durations `12 months`, booleans `true` or `false`.";
    /// A value outside its field's enum.
    EVIDENCE_ENUM = "T0505", Error, "value not allowed",
        "The field holds one of a fixed set of values, listed in the message.";
    /// A reference to a document that does not exist.
    DANGLING_REF = "T0506", Error, "dangling reference",
        "No document of the referenced kind has this key.";
    /// Two documents of one kind with the same key.
    DUPLICATE_KEY = "T0507", Error, "duplicate key",
        "Keys identify documents: two documents of one kind may not share one.";
    /// A field the schema does not declare.
    UNKNOWN_EVIDENCE_FIELD = "T0508", Warning, "unknown field",
        "The schema has no such field, so no rule can read it. Check the spelling, or declare the field.";
    /// A `kind:` that names no schema.
    UNKNOWN_EVIDENCE_KIND = "T0509", Error, "unknown evidence kind",
        "The document's `kind` names no schema of the packs being checked.";
    /// A link under the evidence root that leads nowhere, or back to a directory that
    /// holds it.
    EVIDENCE_LINK = "T0510", Warning, "evidence link not followed",
        "Links under the evidence root are followed, to files and directories alike. This one points to nothing, so if it stood for evidence none of that is checked; or it leads back to a directory that holds it, whose files are checked once, not again through the link.";
    /// A file read at a place (`at`) that does not have it.
    EVIDENCE_PLACE = "T0511", Error, "documents not where the schema reads them",
        "The schema reads this kind's documents at a place in its files (`from \"registers/*.json\" at \"records\"`): each document of the file must be a mapping with that key, through each key of a dotted path, holding a list of documents, one document, or nothing; with a last key `*`, a mapping whose entries are documents, each of which writes its key, if at all, as its entry's name. Check the file's structure against the schema's `at`.";
    /// A file the `from` globs of more than one kind select, read as the first of them.
    OVERLAPPING_SOURCES = "T0512", Warning, "evidence file selected by more than one kind",
        "The `from` globs of several schemas select this file, and a document without a `kind:` field is read as one kind only: the first of them in the program. The others get none of its documents, which may leave their rules with no evidence. Narrow the globs so that one kind selects the file, or give each document a `kind:` naming its schema.";
    /// A file in UTF-8 that its schema says is in a single-byte encoding, read as UTF-8.
    UTF8_NOT_DECLARED_ENCODING = "T0513", Warning, "evidence file in UTF-8, not its declared encoding",
        "The schema declares a single-byte encoding for its files (`encoding \"windows-1252\"`, what Excel writes), but this file is UTF-8 (what Google Sheets, Numbers and most tools write), so it is read as UTF-8: read as declared, each accented letter would have been two wrong ones. Nothing is lost. Save the file with a UTF-8 byte-order mark to say what it is, or in the declared encoding like the kind's other files.";
    /// A waiver for a subject that no document of its kind is.
    WAIVER_FOR_NOTHING = "T0514", Warning, "waiver for a subject with no evidence",
        "The waiver names a subject by its kind and key, and no document of that kind in the evidence has the key, so it waives nothing. A system renamed or retired, or a typo in the key, leaves a waiver that an auditor reads as in force; correct the key, or remove the waiver.";

    // T06xx: packs.
    /// A `tenet.toml` that cannot be read as a manifest.
    INVALID_MANIFEST = "T0601", Error, "invalid manifest",
        "The manifest is not valid TOML, misses `[package]` `name` or `version`, or holds a name, version or requirement that Tenet cannot read. Names are dotted lowercase package names (`acme.baseline`), versions are semver (`1.2.0`), requirements are semver requirements (`^1.2`).";
    /// Two requirements on one pack that no version satisfies, or that name different sources.
    DEPENDENCY_CONFLICT = "T0602", Error, "dependency conflict",
        "Every pack is resolved to one version from one source. The message shows both chains of requirements; loosen one of them, or depend on the same source from both.";
    /// Packs that depend on each other in a cycle.
    DEPENDENCY_CYCLE = "T0603", Error, "dependency cycle",
        "Packs may not depend on each other in a cycle; move what both need into a pack that both depend on.";
    /// A pack whose content is not what the lockfile recorded.
    LOCK_MISMATCH = "T0604", Error, "pack does not match the lock",
        "The sha256 of the pack's normalised content (its `tenet.toml` and `.tenet` files) differs from the hash in `tenet.lock`, or an archive's own hash differs from the `sha256` the manifest pins. Someone changed the pack after it was locked. If the change is intended, review it and run `tenet pack update NAME` to record the new hash.";
    /// A lockfile that is missing or does not cover the manifest.
    LOCK_OUT_OF_DATE = "T0605", Error, "lock out of date",
        "`tenet.lock` is missing, or the manifest's dependencies changed since it was written. `tenet check` never resolves or downloads: run `tenet pack update` (or `tenet pack fetch`) and commit the lock.";
    /// A pack that cannot be fetched or found in the cache.
    PACK_UNAVAILABLE = "T0606", Error, "pack not available",
        "The pack could not be read from its path, fetched from its git repository or archive, or found in the cache when offline. Run `tenet pack fetch` while online, or `tenet pack vendor` to keep dependencies in the repository.";
    /// An archive or checkout that would write outside the pack, or is too large.
    UNSAFE_ARCHIVE = "T0607", Error, "unsafe pack content",
        "Packs are extracted only when every entry is a plain file or directory inside the pack: absolute paths, `..`, links and special files are rejected, as are archives over the size or file-count limits.";
    /// A dependency's file that declares a package outside the dependency's name.
    PACK_NAMESPACE = "T0608", Error, "package outside its pack",
        "A dependency named `acme.baseline` may declare `package acme.baseline` and `package acme.baseline.*` only, so that no dependency can replace a built-in pack or another pack's package.";
}
