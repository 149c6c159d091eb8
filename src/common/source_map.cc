#include "common/source_map.h"

namespace devflow {

Mark SourceMap::Locate(const FieldPath& path, int value_offset, bool about_key) const {
  if (const SourcePosition* p = Find(path)) {
    if (about_key) return p->key;
    Mark m = p->value;
    if (value_offset >= 0 && p->simple_text) m.column += p->text_shift + value_offset;
    return m;
  }
  for (FieldPath ancestor = path; !ancestor.empty();) {
    ancestor = ancestor.Parent();
    if (const SourcePosition* p = Find(ancestor)) return p->key;
  }
  if (const SourcePosition* root = Find(FieldPath())) return root->value;
  return Mark{1, 1};
}

SourceMap SourceMap::Subtree(const FieldPath& prefix) const {
  SourceMap out;
  const std::string& p = prefix.str();
  for (const auto& [path, position] : positions_) {
    if (path.compare(0, p.size(), p) != 0) continue;
    if (path.size() == p.size()) {
      out.positions_.emplace("", position);
    } else if (path[p.size()] == '.') {
      out.positions_.emplace(path.substr(p.size() + 1), position);
    } else if (path[p.size()] == '[') {
      // "[0]..." stays bracketed, except a bracketed key at the root, which needs no change.
      out.positions_.emplace(path.substr(p.size()), position);
    }
  }
  return out;
}

}  // namespace devflow
