//! One message template: text with `{name}` or `{name|format}` placeholders
//! filled from a reason's facts. `{{` and `}}` are literal braces.

use crate::model::{Fact, Facts};

use super::format::{Format, Language};

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot { name: String, format: Format },
}

/// A template that does not parse: the byte offset in the template and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub offset: usize,
    pub message: String,
}

impl Template {
    /// Parses `text`; every placeholder must be closed, name a fact
    /// (`[a-z_][a-z0-9_]*`) and use a known format.
    pub(crate) fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, ch)) = chars.next() {
            match ch {
                '{' if chars.peek().map(|c| c.1) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|c| c.1) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => {
                    return Err(TemplateError {
                        offset: at,
                        message: "a `}` with no `{` (write `}}` for a literal brace)".into(),
                    })
                }
                '{' => {
                    let rest = &text[at + 1..];
                    let Some(end) = rest.find('}') else {
                        return Err(TemplateError {
                            offset: at,
                            message: "a `{` with no closing `}` (write `{{` for a literal brace)"
                                .into(),
                        });
                    };
                    let inner = &rest[..end];
                    let (name, format) = match inner.split_once('|') {
                        Some((n, f)) => (n.trim(), Some(f.trim())),
                        None => (inner.trim(), None),
                    };
                    if !is_name(name) {
                        return Err(TemplateError {
                            offset: at,
                            message: format!(
                                "`{{{inner}}}`: a placeholder is a fact's name (letters, digits, `_`), \
                                 optionally `|` and a format"
                            ),
                        });
                    }
                    let format = match format {
                        None => Format::Plain,
                        Some(f) => Format::named(f).ok_or_else(|| TemplateError {
                            offset: at,
                            message: format!(
                                "`{{{inner}}}`: unknown format `{f}` (known: {})",
                                Format::NAMES.join(", ")
                            ),
                        })?,
                    };
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Slot {
                        name: name.to_owned(),
                        format,
                    });
                    // Skip the placeholder's characters.
                    while chars.peek().is_some_and(|c| c.0 <= at + 1 + end) {
                        chars.next();
                    }
                }
                ch => literal.push(ch),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template { pieces })
    }

    /// The facts this template reads, in order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Slot { name, .. } => Some(name.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// The message for `facts` in `lang`. A fact the template names but the
    /// reason lacks shows as `{name?}`: rendering never fails, so a decision
    /// never depends on whether its message was asked for.
    pub(crate) fn render(&self, facts: &Facts, lang: &Language) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot { name, format } => match facts.get(name) {
                    Some(fact) => lang.write(&mut out, *format, fact),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push_str("?}");
                    }
                },
            }
        }
        out
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A fact as text with no format: how `{name}` shows it.
pub(crate) fn plain(fact: &Fact) -> String {
    match fact {
        Fact::Null => String::new(),
        Fact::Bool(b) => b.to_string(),
        Fact::Int(i) => i.to_string(),
        Fact::Decimal(d) => d.normalize().to_string(),
        Fact::Date(d) => d.format("%Y-%m-%d").to_string(),
        Fact::Text(t) => t.clone(),
        Fact::List(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(pairs: &[(&str, Fact)]) -> Facts {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn placeholders_take_facts_and_formats() {
        let t = Template::parse("{tier}: {revenue|money} ≥ {threshold|money} {{literal}}").unwrap();
        assert_eq!(
            t.names().collect::<Vec<_>>(),
            ["tier", "revenue", "threshold"]
        );
        let f = facts(&[
            ("tier", Fact::Text("A".into())),
            ("revenue", Fact::Decimal("4200000".parse().unwrap())),
            ("threshold", Fact::Int(3_000_000)),
        ]);
        let en = Language::new("en", Default::default());
        assert_eq!(t.render(&f, &en), "A: 4,200,000 ≥ 3,000,000 {literal}");
    }

    #[test]
    fn a_missing_fact_shows_its_name_instead_of_failing() {
        let t = Template::parse("due {date}").unwrap();
        let en = Language::new("en", Default::default());
        assert_eq!(t.render(&Facts::new(), &en), "due {date?}");
    }

    #[test]
    fn malformed_placeholders_are_errors_with_their_offset() {
        for (text, offset, says) in [
            ("open {tier", 5, "no closing"),
            ("stray } brace", 6, "no `{`"),
            ("{Tier}", 0, "fact's name"),
            ("{}", 0, "fact's name"),
            ("{x|euros}", 0, "unknown format `euros`"),
        ] {
            let e = Template::parse(text).unwrap_err();
            assert_eq!(e.offset, offset, "{text}");
            assert!(e.message.contains(says), "{text}: {}", e.message);
        }
    }
}
