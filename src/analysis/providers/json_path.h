// JsonPath: the subset of Kubernetes' JSONPath templates (k8s.io/client-go/util/jsonpath) that
// the web metric provider's `jsonPath` field uses, e.g. "{$}", "{$.data.ok}",
// "{.items[0].value}", "{$.a.b[1]}".
//
// A template is literal text and actions in braces; an action is a chain of steps from the
// document's root ("$" or "@" may start it and mean the root):
//   .name  ['name']  ["name"]   a member of an object (a `\.` in .name is a literal dot)
//   .*                          every member value of an object, in document order
//   ..                          the value and everything nested in it (recursive descent)
//   [i]  [-i]                   an array element (negative counts from the end)
//   [a:b]  [a:b:s]  [:b]  [a:]  an array slice, as Kubernetes slices
//   [*]                         every array element
//   [i,j,'k']                   a union of indexes and member names
// Not supported (Parse rejects them, naming the construct): filters `[?(...)]`, `range`/`end`
// blocks, and literal values inside actions.
//
// Evaluation follows Kubernetes' rules, with its messages: a member that no current value has
// is "<name> is not found"; an index outside an array is "array index out of bounds: index
// <i>, length <n>"; indexing something that is not an array is "<type> is not an array".
// Kubernetes walks Go maps in random order; here objects are walked in document order.
//
// JsonPath is an immutable value; it may be used from several threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::analysis::providers {

class JsonPath {
 public:
  // One step of an action (see the file comment).
  struct Step {
    enum class Kind { kField, kWildcard, kRecursive, kArray, kUnion };
    Kind kind = Kind::kField;
    std::string name;  // kField
    // kArray: start, end and step of a slice; an index i is [i:i+1] with `single` set.
    std::optional<int64_t> start, end, stride;
    bool single = false;
    std::vector<Step> alternatives;  // kUnion: kField or kArray steps
    friend bool operator==(const Step&, const Step&) = default;
  };
  // Literal text, or an action (a chain of steps; an empty chain is the root itself).
  struct Part {
    bool is_text = false;
    std::string text;
    std::vector<Step> steps;
    friend bool operator==(const Part&, const Part&) = default;
  };

  // Parses a template. Returns InvalidArgument "<what is wrong> at offset <n>" for an unclosed
  // action ("{.a"), an empty or malformed bracket, a bad number, or an unsupported construct
  // ("filters [?(...)] are not supported").
  static Result<JsonPath> Parse(std::string_view text);

  // Every match in order: the results of each part, one after the other (a text part yields its
  // text as a string). Errors: InvalidArgument with the Kubernetes messages of the file comment.
  Result<std::vector<json::Value>> FindAll(const json::Value& document) const;

  // The first match, as Argo's web provider takes it; nullopt when the template matched
  // nothing (e.g. "{.items[*]}" on an empty list). Errors as FindAll.
  Result<std::optional<json::Value>> First(const json::Value& document) const;

  const std::string& source() const { return source_; }
  const std::vector<Part>& parts() const { return parts_; }

 private:
  JsonPath(std::string source, std::vector<Part> parts)
      : source_(std::move(source)), parts_(std::move(parts)) {}

  std::string source_;
  std::vector<Part> parts_;
};

}  // namespace devflow::analysis::providers
