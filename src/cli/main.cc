// The devflow command.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/lint_command.h"
#include "common/version.h"

int main(int argc, char** argv) {
  try {
    CLI::App app{
        "devflow: progressive delivery (blue/green and canary) compatible with Argo "
        "Rollouts"};
    app.require_subcommand(1);

    CLI::App* version = app.add_subcommand("version", "Print the version");

    std::vector<std::string> lint_files;
    CLI::App* lint = app.add_subcommand(
        "lint", "Check manifests (files, directories or - for stdin) without applying them");
    lint->add_option("-f,--filename", lint_files,
                     "A manifest file, a directory of them, or - for standard input")
        ->required();

    CLI11_PARSE(app, argc, argv);

    if (version->parsed()) {
      std::cout << "devflow " << devflow::kVersion << " (" << devflow::kGitDescribe << ")\n";
      return 0;
    }
    if (lint->parsed()) {
      return devflow::cli::RunLint(lint_files, std::cin, std::cout, std::cerr);
    }
    return 0;
  } catch (const std::exception& e) {
    // Last resort: expected failures are Status values, so reaching here is a bug.
    std::cerr << "devflow: internal error: " << e.what() << "\n";
    return 70;
  }
}
