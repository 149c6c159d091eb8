#include "cli/manifest_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace devflow::cli {
namespace fs = std::filesystem;
namespace {

bool IsManifestFile(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return UnavailableError(path + ": cannot open for reading");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return UnavailableError(path + ": read failed");
  return text.str();
}

}  // namespace

Result<std::vector<SourceText>> ReadSources(const std::vector<std::string>& paths,
                                            std::istream& in) {
  std::vector<SourceText> sources;
  for (const std::string& path : paths) {
    if (path == "-") {
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      sources.push_back(SourceText{"-", std::move(text)});
      continue;
    }
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) return NotFoundError(path + ": no such file or directory");
    if (fs::is_directory(status)) {
      std::vector<std::string> files;
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && IsManifestFile(it->path())) {
          files.push_back(it->path().string());
        }
      }
      if (ec) return UnavailableError(path + ": " + ec.message());
      std::sort(files.begin(), files.end());
      for (const std::string& file : files) {
        DEVFLOW_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
        sources.push_back(SourceText{file, std::move(text)});
      }
      continue;
    }
    DEVFLOW_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    sources.push_back(SourceText{path, std::move(text)});
  }
  return sources;
}

}  // namespace devflow::cli
