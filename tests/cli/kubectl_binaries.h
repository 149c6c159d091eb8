// Which kubectl binaries the end-to-end tests run: the oldest and the newest minor version
// installed side by side (/usr/lib/google-cloud-sdk/bin/kubectl.1.NN), else the kubectl on the
// usual paths, else none.
#pragma once

#include <string>
#include <vector>

namespace devflow::testing {

std::vector<std::string> KubectlBinaries();

// KubectlBinaries as test parameters: one empty parameter when there is none, so that the
// parametrised tests show up as skipped rather than vanish.
std::vector<std::string> KubectlTestParams();

}  // namespace devflow::testing
