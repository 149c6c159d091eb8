// Writes json::Values as YAML the way `kubectl get -o yaml` prints objects.
//
// kubectl renders through sigs.k8s.io/yaml, i.e. go-yaml v2 over its port of libyaml's emitter.
// The output follows that emitter's choices so a diff against kubectl stays quiet:
//   - block mappings and sequences, two spaces of indentation; a sequence that is the value of
//     a mapping key is not indented further ("key:\n- a"); items that are collections start on
//     the dash's line ("- name: a\n  image: b", "- - a");
//   - mapping keys in the order go-yaml sorts them (KeyLess below), whatever their stored order;
//   - "{}" and "[]" for empty collections, "null", "true"/"false", integers in decimal;
//   - a string is plain when it reads back as the same string, double-quoted when a plain
//     scalar would be typed as something else by YAML 1.1 (null/bool/int/float words and
//     numbers, timestamps, sexagesimals, the merge key "<<"), single-quoted when its characters
//     forbid the plain style (leading indicator, ": ", " #", leading/trailing spaces, ...),
//     a literal block ("|", "|-", "|+", with an indentation indicator when the text starts with
//     a space or a line break) when it holds a newline and a block can carry it, and
//     double-quoted with escapes otherwise (control characters, tabs, characters outside the
//     BMP, trailing spaces on a line);
//   - long plain and quoted scalars (not keys) are folded at a space once the line passes 80
//     columns; keys longer than 128 bytes or holding a line break use the explicit "? key" form.
// Deliberate differences from kubectl:
//   - a double that holds an integral value keeps a ".0" ("1.0", not kubectl's "1"), because a
//     YAML 1.1 reader, ours included, would read "1" back as an integer; otherwise doubles are
//     written as Go's strconv 'g' format does (shortest digits; "1e+06" from exponent 6 up);
//   - bytes that are not UTF-8 cannot be written as YAML: each one becomes U+FFFD (as Go's JSON
//     decoder would have replaced it before kubectl saw it), written as the escape "\uFFFD" in a
//     double-quoted scalar. Such strings are the only ones that do not read back unchanged;
//   - no "..." document-end marker is written after a "|+" block.
// Round trip: for every object v whose strings are valid UTF-8, whose doubles are not NaN, whose
// nesting stays within ReadManifests' depth limit and which is not a List (ReadManifests expands
// those), api::ReadManifests(WriteYaml(v)) reads back one object equal to v.
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

#include "common/json_value.h"

namespace devflow::api {

// Returns `value` as one YAML document: no leading "---", every line (the last included) ended
// by "\n". A scalar or an empty collection at the root is written on its own line ("{}\n").
// Never fails.
std::string WriteYaml(const json::Value& value);

// The order in which go-yaml v2, hence kubectl, prints the keys of a mapping: character by
// character (Unicode code points); where two keys first differ, a letter sorts after a
// non-letter, two letters by code point, and runs of ASCII digits by their numeric value
// ("port9" < "port10"); a key sorts before the keys it is a prefix of. Non-ASCII code points
// count as letters (go-yaml asks Unicode; keys in Kubernetes objects are ASCII). Invalid UTF-8
// bytes compare as U+FFFD. For ASCII letters-only keys this is plain byte order.
bool KeyLess(std::string_view a, std::string_view b);

}  // namespace devflow::api
