// Feeds arbitrary bytes through what `devflow lint` and `devflow apply` do with a file: read the
// manifests (YAML or JSON), then decode and validate each object. Any crash, sanitizer report or
// hang is a bug; errors are the expected outcome for most inputs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/manifest_reader.h"
#include "api/object_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto manifests = devflow::api::ReadManifests(text, "fuzz.yaml");
  if (!manifests.ok()) return 0;
  for (const devflow::api::Manifest& m : *manifests) {
    devflow::api::ObjectCheck check = devflow::api::CheckObject(m.object);
    for (const devflow::api::FieldError& e : check.errors) {
      (void)m.positions.Locate(e.path, e.value_offset, e.about_key);
    }
  }
  return 0;
}
