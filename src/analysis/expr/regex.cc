#include "analysis/expr/regex.h"

#include "analysis/expr/regex_syntax.h"
#include "analysis/expr/utf8.h"

namespace devflow::expr {
namespace {

using Ranges = std::vector<RuneRange>;
using Inst = Regex::Inst;

constexpr size_t kMaxInstructions = 20000;

class ProgramBuilder {
 public:
  ProgramBuilder(std::vector<Inst>& program, std::vector<Ranges>& classes)
      : program_(program), classes_(classes) {}

  // Appends the instructions for `node`; false when the program grew too large.
  bool Emit(const RegexNode& node) {
    switch (node.kind) {
      case RegexNode::Kind::kEmpty:
        return true;
      case RegexNode::Kind::kClass: {
        classes_.push_back(node.ranges);
        Inst inst;
        inst.op = Inst::Op::kRunes;
        inst.ranges = static_cast<int>(classes_.size() - 1);
        return Add(inst) >= 0;
      }
      case RegexNode::Kind::kAnyChar:
        return Add(Op(Inst::Op::kAny)) >= 0;
      case RegexNode::Kind::kAnyNotNewline:
        return Add(Op(Inst::Op::kAnyNotNewline)) >= 0;
      case RegexNode::Kind::kAssert: {
        Inst inst = Op(Inst::Op::kAssert);
        inst.assertion = node.assertion;
        return Add(inst) >= 0;
      }
      case RegexNode::Kind::kConcat:
        for (const RegexNodePtr& sub : node.subs) {
          if (!Emit(*sub)) return false;
        }
        return true;
      case RegexNode::Kind::kAlternate:
        return EmitAlternation(node);
      case RegexNode::Kind::kRepeat:
        return EmitRepeat(node);
    }
    return false;
  }

 private:
  static Inst Op(Inst::Op op) {
    Inst inst;
    inst.op = op;
    return inst;
  }

  int Add(Inst inst) {
    if (program_.size() >= kMaxInstructions) return -1;
    program_.push_back(inst);
    return static_cast<int>(program_.size() - 1);
  }
  int Next() const { return static_cast<int>(program_.size()); }

  bool EmitAlternation(const RegexNode& node) {
    std::vector<int> jumps;
    for (size_t i = 0; i + 1 < node.subs.size(); i++) {
      int split = Add(Op(Inst::Op::kSplit));
      if (split < 0) return false;
      program_[split].x = split + 1;
      if (!Emit(*node.subs[i])) return false;
      int jump = Add(Op(Inst::Op::kJump));
      if (jump < 0) return false;
      jumps.push_back(jump);
      program_[split].y = Next();
    }
    if (!Emit(*node.subs.back())) return false;
    for (int jump : jumps) program_[jump].x = Next();
    return true;
  }

  bool EmitRepeat(const RegexNode& node) {
    const RegexNode& sub = *node.subs[0];
    for (int i = 0; i < node.min; i++) {
      if (!Emit(sub)) return false;
    }
    if (node.max < 0) {
      int split = Add(Op(Inst::Op::kSplit));
      if (split < 0) return false;
      program_[split].x = split + 1;
      if (!Emit(sub)) return false;
      int jump = Add(Op(Inst::Op::kJump));
      if (jump < 0) return false;
      program_[jump].x = split;
      program_[split].y = Next();
      return true;
    }
    for (int i = node.min; i < node.max; i++) {
      int split = Add(Op(Inst::Op::kSplit));
      if (split < 0) return false;
      program_[split].x = split + 1;
      if (!Emit(sub)) return false;
      program_[split].y = Next();
    }
    return true;
  }

  std::vector<Inst>& program_;
  std::vector<Ranges>& classes_;
};

// A set of instruction indices with O(1) insert, membership and clear.
class StateSet {
 public:
  explicit StateSet(size_t capacity) : dense_(capacity), sparse_(capacity) {}
  bool Contains(int pc) const {
    size_t i = sparse_[static_cast<size_t>(pc)];
    return i < size_ && dense_[i] == pc;
  }
  void Insert(int pc) {
    sparse_[static_cast<size_t>(pc)] = size_;
    dense_[size_++] = pc;
  }
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }
  int operator[](size_t i) const { return dense_[i]; }

 private:
  std::vector<int> dense_;
  std::vector<size_t> sparse_;
  size_t size_ = 0;
};

bool IsWordRune(int64_t r) {
  return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_';
}

// What the empty-width assertions see at one position of the text. -1 stands for "no rune".
struct Position {
  int64_t before = -1;
  int64_t after = -1;

  bool Holds(Assertion a) const {
    switch (a) {
      case Assertion::kBeginText:
        return before < 0;
      case Assertion::kEndText:
        return after < 0;
      case Assertion::kBeginLine:
        return before < 0 || before == '\n';
      case Assertion::kEndLine:
        return after < 0 || after == '\n';
      case Assertion::kWordBoundary:
        return IsWordRune(before) != IsWordRune(after);
      case Assertion::kNoBoundary:
        return IsWordRune(before) == IsWordRune(after);
    }
    return false;
  }
};

}  // namespace

Result<std::shared_ptr<const Regex>> Regex::Compile(std::string_view pattern) {
  DEVFLOW_ASSIGN_OR_RETURN(RegexNodePtr root, ParseRegex(pattern));
  std::shared_ptr<Regex> regex(new Regex());
  ProgramBuilder builder(regex->program_, regex->classes_);
  if (!builder.Emit(*root) || regex->program_.size() >= kMaxInstructions) {
    return InvalidArgumentError("error parsing regexp: expression too large");
  }
  Inst match;
  match.op = Inst::Op::kMatch;
  regex->program_.push_back(match);
  return std::shared_ptr<const Regex>(std::move(regex));
}

Result<bool> Regex::Search(std::string_view text, Budget& budget) const {
  const size_t n = program_.size();
  StateSet current(n), next(n);
  std::vector<int> stack;
  // Adds `pc` and everything reachable from it without consuming a rune.
  auto add = [&](StateSet& set, int start_pc, const Position& at) {
    stack.push_back(start_pc);
    while (!stack.empty()) {
      int pc = stack.back();
      stack.pop_back();
      if (set.Contains(pc)) continue;
      set.Insert(pc);
      const Inst& inst = program_[static_cast<size_t>(pc)];
      if (inst.op == Inst::Op::kJump) {
        stack.push_back(inst.x);
      } else if (inst.op == Inst::Op::kSplit) {
        stack.push_back(inst.y);
        stack.push_back(inst.x);
      } else if (inst.op == Inst::Op::kAssert && at.Holds(inst.assertion)) {
        stack.push_back(pc + 1);
      }
    }
  };

  size_t pos = 0;
  int64_t before = -1;
  int64_t unspent = 0;
  while (true) {
    utf8::Decoded here = utf8::DecodeAt(text, pos);
    int64_t rune = here.size > 0 ? static_cast<int64_t>(here.rune) : -1;
    add(current, 0, Position{before, rune});
    unspent += static_cast<int64_t>(current.size()) + 1;
    if (unspent > 4096) {
      DEVFLOW_RETURN_IF_ERROR(budget.Spend(unspent));
      unspent = 0;
    }
    utf8::Decoded following = utf8::DecodeAt(text, pos + static_cast<size_t>(here.size));
    Position after_step{rune, following.size > 0 ? static_cast<int64_t>(following.rune) : -1};
    for (size_t i = 0; i < current.size(); i++) {
      int pc = current[i];
      const Inst& inst = program_[static_cast<size_t>(pc)];
      bool step = false;
      switch (inst.op) {
        case Inst::Op::kMatch:
          DEVFLOW_RETURN_IF_ERROR(budget.Spend(unspent));
          return true;
        case Inst::Op::kRunes:
          step = rune >= 0 && RangesContain(classes_[static_cast<size_t>(inst.ranges)],
                                            static_cast<char32_t>(rune));
          break;
        case Inst::Op::kAny:
          step = rune >= 0;
          break;
        case Inst::Op::kAnyNotNewline:
          step = rune >= 0 && rune != '\n';
          break;
        default:
          break;
      }
      if (step) add(next, pc + 1, after_step);
    }
    if (here.size == 0) break;
    std::swap(current, next);
    next.Clear();
    before = rune;
    pos += static_cast<size_t>(here.size);
  }
  DEVFLOW_RETURN_IF_ERROR(budget.Spend(unspent));
  return false;
}

}  // namespace devflow::expr
