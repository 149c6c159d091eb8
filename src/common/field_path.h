// FieldPath: the Kubernetes-style path of a field inside a manifest, as printed in errors:
//   spec.strategy.canary.steps[2].setWeight
//   spec.template.metadata.labels[app.kubernetes.io/name]
// A key that is a plain identifier is appended as ".key"; any other key (dots, slashes) as
// "[key]"; array elements as "[i]". The source map of a parsed document uses the same rendering,
// so a path built by validation finds the line and column the parser recorded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace devflow {

class FieldPath {
 public:
  // The root (the document itself); renders as "".
  FieldPath() = default;
  // A path of one key, e.g. FieldPath("spec").
  explicit FieldPath(std::string_view key) { AppendKey(key); }

  // Returns this path extended by an object key.
  FieldPath Child(std::string_view key) const {
    FieldPath p = *this;
    p.AppendKey(key);
    return p;
  }
  // Returns this path extended by an array index.
  FieldPath Index(size_t i) const {
    FieldPath p = *this;
    p.path_ += '[';
    p.path_ += std::to_string(i);
    p.path_ += ']';
    return p;
  }
  // Returns the parent path ("a.b[2]" -> "a.b", "a" -> ""), parsing the rendered form.
  FieldPath Parent() const;

  bool empty() const { return path_.empty(); }

  // Wraps an already-rendered path, for table tests.
  static FieldPath FromRenderedForTest(std::string rendered) {
    FieldPath p;
    p.path_ = std::move(rendered);
    return p;
  }
  const std::string& str() const { return path_; }
  friend bool operator==(const FieldPath&, const FieldPath&) = default;

 private:
  void AppendKey(std::string_view key);
  std::string path_;
};

}  // namespace devflow
