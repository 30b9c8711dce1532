//! The pages inside one file: one page, newline-delimited pages, or a JSON array of
//! pages, split without parsing them (each range is then parsed on its own).

use std::ops::Range;

/// Where a file that may be one page object starts: its first byte that is not white
/// space, when that byte is `{`.
pub fn object_start(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .position(|&byte| !is_space(byte))
        .filter(|&at| bytes[at] == b'{')
}

/// The byte ranges of the page documents in a file's contents.
///
/// A file holds one page, newline-delimited (or simply concatenated) pages, or one JSON
/// array whose items are pages. The scan only tracks strings and nesting depth, with a
/// counter rather than recursion, so hostile nesting costs nothing here; each range is
/// then parsed (and validated) on its own. A range that never closes runs to the end of
/// the input, where the parser reports the truncation.
pub fn split_pages(bytes: &[u8]) -> Vec<Range<usize>> {
    let top = top_level_values(bytes, 0..bytes.len());
    match top.as_slice() {
        [only] if bytes.get(only.start) == Some(&b'[') => array_items(bytes, only.clone()),
        _ => top,
    }
}

/// Top-level values in `range`, separated by white space.
fn top_level_values(bytes: &[u8], range: Range<usize>) -> Vec<Range<usize>> {
    let mut values = Vec::new();
    let mut at = range.start;
    while at < range.end {
        if is_space(bytes[at]) {
            at += 1;
            continue;
        }
        let end = value_end(bytes, at, range.end, false);
        values.push(at..end);
        at = end;
    }
    values
}

/// The items of the array spanning `range` (which starts at its `[`).
fn array_items(bytes: &[u8], range: Range<usize>) -> Vec<Range<usize>> {
    let mut items = Vec::new();
    let mut at = range.start + 1;
    let end = if bytes.get(range.end - 1) == Some(&b']') {
        range.end - 1
    } else {
        range.end
    };
    while at < end {
        let byte = bytes[at];
        if is_space(byte) || byte == b',' {
            at += 1;
            continue;
        }
        let item_end = value_end(bytes, at, end, true);
        items.push(at..item_end);
        at = item_end;
    }
    items
}

/// Where the value starting at `start` ends: after its closing bracket for a container,
/// at the next delimiter for a scalar (white space, or a comma inside an array).
fn value_end(bytes: &[u8], start: usize, limit: usize, in_array: bool) -> usize {
    let mut depth: u64 = 0;
    let mut at = start;
    while at < limit {
        let byte = bytes[at];
        at += 1;
        match byte {
            b'"' => {
                at = string_end(bytes, at, limit);
                if depth == 0 {
                    return at;
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at;
                }
            }
            _ if depth == 0 && (is_space(byte) || (in_array && byte == b',')) => return at - 1,
            _ => {}
        }
    }
    limit
}

/// Where the string whose contents start at `at` ends: after its closing quote, or at
/// `limit` when it does not close before.
fn string_end(bytes: &[u8], mut at: usize, limit: usize) -> usize {
    // Most of a page's bytes are inside strings, where only a quote or a backslash
    // matters: jump from one to the next instead of looking at every byte.
    while let Some(offset) = memchr::memchr2(b'"', b'\\', &bytes[at..limit]) {
        at += offset + 1;
        if bytes[at - 1] == b'"' {
            return at;
        }
        // A backslash: the byte after it is escaped, whatever it is.
        at = (at + 1).min(limit);
    }
    limit
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        split_pages(text.as_bytes())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn one_page_ndjson_and_arrays() {
        assert_eq!(pieces(" {\"a\": 1}\n"), ["{\"a\": 1}"]);
        assert_eq!(
            pieces("{\"a\":\"}\"}\n{\"b\":[1,{}]}\n\n{}"),
            ["{\"a\":\"}\"}", "{\"b\":[1,{}]}", "{}"]
        );
        assert_eq!(
            pieces("[{\"a\":1}, {\"b\":\"]\\\"\"}]"),
            ["{\"a\":1}", "{\"b\":\"]\\\"\"}"]
        );
        assert_eq!(pieces("[]"), Vec::<&str>::new());
        assert_eq!(pieces("[1, 2]"), ["1", "2"]);
        assert_eq!(pieces("42"), ["42"]);
        assert_eq!(pieces(""), Vec::<&str>::new());
        assert_eq!(
            pieces("{\"a\": [1, 2"),
            ["{\"a\": [1, 2"],
            "an open value runs to the end"
        );
        assert_eq!(pieces("[{\"a\":1}, {\"b\":"), ["{\"a\":1}", "{\"b\":"]);
        assert_eq!(
            pieces("[{}] [{}]"),
            ["[{}]", "[{}]"],
            "two arrays are two documents"
        );
    }

    use proptest::prelude::*;

    /// A JSON object with strings that hold brackets, quotes, commas and escapes.
    fn document() -> impl Strategy<Value = String> {
        let field = ("[a-z]{1,4}", "[a-z{}\\[\\],: ]{0,6}", any::<bool>());
        prop::collection::vec(field, 0..4).prop_map(|fields| {
            let body: Vec<String> = fields
                .into_iter()
                .map(|(key, text, nested)| {
                    let value = format!("\"{text}\\\"\\\\\"");
                    if nested {
                        format!("\"{key}\":[{value},{{\"n\":[1,2]}}]")
                    } else {
                        format!("\"{key}\":{value}")
                    }
                })
                .collect();
            format!("{{{}}}", body.join(","))
        })
    }

    proptest! {
        /// Oracle: the documents the test joined. NDJSON, concatenation and an array of
        /// them all split back into exactly those documents.
        #[test]
        fn splitting_returns_the_documents_joined(
            docs in prop::collection::vec(document(), 1..6),
            sep in "[ \n\t]{0,3}",
        ) {
            let want: Vec<&str> = docs.iter().map(String::as_str).collect();
            let (ndjson, glued) = (docs.join("\n"), docs.join(&sep));
            prop_assert_eq!(pieces(&ndjson), want.clone());
            prop_assert_eq!(pieces(&glued), want.clone());
            let array = format!("[{}]", docs.join(&format!(",{sep}")));
            prop_assert_eq!(pieces(&array), want);
            for doc in &docs {
                prop_assert!(serde_json::from_str::<serde_json::Value>(doc).is_ok(), "{}", doc);
            }
        }
    }
}
