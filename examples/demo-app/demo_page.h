// The page GET / serves: the rollouts-demo picture for devflow's demos.
//
// The page asks /color of its own origin 50 times a second, so every request goes through
// whatever Service, Gateway or HAProxy frontend served the page, and paints one square per
// answer in the colour that answered (a failed answer is a black square with a red border).
// Above the squares it keeps a running count and share per colour, with Pause and Reset
// buttons. It is self-contained (inline CSS and script, no external resources), so it works on
// a machine without internet access.
#pragma once

#include <string>

namespace devflow::demo {

// Returns the page's HTML. `served_by` (the colour of the process serving the page) is shown in
// its header. REQUIRES: `served_by` holds only letters, digits and "#-_." (demo_flags.h), which
// need no HTML escaping.
std::string DemoPageHtml(const std::string& served_by);

}  // namespace devflow::demo
