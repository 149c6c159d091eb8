// The devflow command.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "apiserver/api_server.h"
#include "cli/apply_command.h"
#include "cli/controller_command.h"
#include "cli/delete_command.h"
#include "cli/down_command.h"
#include "cli/experiment_commands.h"
#include "cli/get_command.h"
#include "cli/kube_flags.h"
#include "cli/lint_command.h"
#include "cli/logs_command.h"
#include "cli/rollout_commands.h"
#include "cli/serve_command.h"
#include "cli/set_image_command.h"
#include "cli/status_command.h"
#include "common/version.h"

int main(int argc, char** argv) {
  try {
    CLI::App app{
        "devflow: progressive delivery (blue/green and canary) "
        "compatible with Argo "
        "Rollouts"};
    app.require_subcommand(1);

    devflow::cli::KubeFlags kube;
    // Global: accepted before or after the subcommand, as kubectl's.
    app.add_option("--kubeconfig", kube.kubeconfig,
                   "The kubeconfig file (default: $KUBECONFIG, then the data directory's "
                   "kubeconfig written by `devflow serve`, then ~/.kube/config)");
    app.add_option("--context", kube.context, "The kubeconfig context to use");
    app.add_option("-n,--namespace", kube.namespace_, "The namespace (default: the context's)");
    app.fallthrough();

    CLI::App* version = app.add_subcommand("version", "Print the version");

    std::vector<std::string> lint_files;
    CLI::App* lint = app.add_subcommand("lint",
                                        "Check manifests (files, directories or - "
                                        "for stdin) without applying them");
    lint->add_option("-f,--filename", lint_files,
                     "A manifest file, a directory of them, or - for standard input")
        ->required();

    devflow::cli::ServeFlags serve_flags;
    CLI::App* serve = app.add_subcommand(
        "serve",
        "Run devflow on this machine: the embedded Kubernetes-compatible API server, the "
        "controllers, and pods as processes behind HAProxy");
    serve->add_option("--data-dir", serve_flags.data_dir,
                      "Where the database, token and kubeconfig live (default: "
                      "$DEVFLOW_DATA_DIR, else $XDG_DATA_HOME/devflow, else "
                      "~/.local/share/devflow)");
    serve->add_option(
        "--listen", serve_flags.listen,
        "HOST:PORT to serve on (default: " + std::string(devflow::apiserver::kDefaultListen) + ")");
    serve->add_flag("--tls,!--no-tls", serve_flags.tls,
                    "Serve HTTPS with a certificate from a CA made in the data directory (the "
                    "default). --no-tls serves plain HTTP, over which kubectl never sends its "
                    "token");
    serve->add_flag("--runtime,!--no-runtime", serve_flags.runtime,
                    "Run pods as processes behind HAProxy (the default). --no-runtime runs "
                    "the API server and the controllers only, as a cluster's control plane");
    serve
        ->add_option("--controllers", serve_flags.controllers,
                     "The controllers to run, comma-separated: replicaset, job, rollout, analysis, "
                     "experiment "
                     "(the default: all), or none (then run `devflow controller` against this "
                     "server)")
        ->delimiter(',');
    serve->add_flag_callback(
        "--no-controllers", [&serve_flags] { serve_flags.controllers = {"none"}; },
        "The API server (and pods) only: --controllers=none");
    serve->add_option("--bind-address", serve_flags.bind_address,
                      "Where LoadBalancer Service ports and Gateway listeners listen (default: "
                      "127.0.0.1; Services also listen at their own clusterIP)");
    serve->add_option("--node-name", serve_flags.node_name,
                      "The node whose pods run here (default: the host name)");
    serve->add_option("--haproxy", serve_flags.haproxy,
                      "The HAProxy binary (2.6 or newer; default: haproxy from PATH)");

    std::vector<std::string> apply_files;
    CLI::App* apply = app.add_subcommand("apply",
                                         "Create or update objects from manifests "
                                         "(nothing is applied if any is invalid)");
    apply
        ->add_option("-f,--filename", apply_files,
                     "A manifest file, a directory of them, or - for standard input")
        ->required();

    devflow::cli::GetFlags get_flags;
    CLI::App* get = app.add_subcommand("get", "List objects of a resource, or show some");
    get->add_option("resource", get_flags.resource,
                    "The resource: plural, singular, short name or kind "
                    "(rollouts, ro, Rollout)")
        ->required();
    get->add_option("names", get_flags.names, "Names of the objects to show");
    get->add_option("-o,--output", get_flags.output, "Output format: json, yaml or name");
    get->add_option("-l,--selector", get_flags.selector, "A label selector (app=web,tier!=db)");
    get->add_flag("-A,--all-namespaces", get_flags.all_namespaces, "List in every namespace");

    devflow::cli::DeleteFlags delete_flags;
    CLI::App* del = app.add_subcommand("delete", "Delete objects named in manifests or by name");
    del->add_option("-f,--filename", delete_flags.files,
                    "A manifest file, a directory of them, or - for standard input");
    del->add_option("resource", delete_flags.resource, "The resource, when not using -f");
    del->add_option("names", delete_flags.names, "Names of the objects to delete");
    del->add_option("--cascade", delete_flags.cascade,
                    "What happens to dependents: background (default), "
                    "foreground or orphan");
    del->add_flag("--ignore-not-found", delete_flags.ignore_not_found,
                  "Treat objects that do not exist as deleted");

    devflow::cli::LogsFlags logs_flags;
    CLI::App* logs = app.add_subcommand("logs", "Print the log of a pod's container");
    logs->add_option("pod", logs_flags.pod, "The pod: NAME or pod/NAME")->required();
    logs->add_option("-c,--container", logs_flags.container,
                     "The container (default: the pod's only one)");
    logs->add_flag("-f,--follow", logs_flags.follow, "Keep printing what is appended");
    logs->add_option("--tail", logs_flags.tail, "Only the last N lines (-1: all)");
    logs->add_option("--limit-bytes", logs_flags.limit_bytes, "At most this many bytes");

    devflow::cli::ControllerFlags controller_flags;
    CLI::App* controller = app.add_subcommand(
        "controller",
        "Run the rollout controller against the kubeconfig's API server (a cluster, or a "
        "devflow serve --no-controllers), with leader election");
    controller->add_flag("--leader-elect,!--no-leader-elect", controller_flags.leader_elect,
                         "Reconcile only while holding the Lease (the default)");
    controller->add_option("--leader-election-namespace", controller_flags.lease_namespace,
                           "The Lease's namespace (default: the context's namespace)");
    controller->add_option("--leader-election-name", controller_flags.lease_name,
                           "The Lease's name (default: devflow-controller-lock)");
    controller->add_option("--rollout-threads", controller_flags.workers,
                           "Rollouts reconciled at once (default 10)");
    controller->add_option("--qps", controller_flags.qps, "API requests per second (default 40)");
    controller->add_option("--burst", controller_flags.burst, "API request burst (default 80)");

    devflow::cli::DownFlags down_flags;
    CLI::App* down = app.add_subcommand(
        "down", "Stop the pods' processes and HAProxy that a stopped devflow serve left running");
    down->add_option("--data-dir", down_flags.data_dir,
                     "The data directory of that devflow serve (default: as serve's)");

    devflow::cli::SetImageFlags set_image_flags;
    CLI::App* set = app.add_subcommand("set", "Change a field of an object");
    set->require_subcommand(1);
    CLI::App* set_image = set->add_subcommand(
        "image", "Change container images: [TYPE/]NAME CONTAINER=IMAGE... (NAME alone: a Rollout)");
    set_image
        ->add_option("target", set_image_flags.target, "The object: NAME (a Rollout) or TYPE/NAME")
        ->required();
    set_image
        ->add_option("images", set_image_flags.images, "CONTAINER=IMAGE (* for every container)")
        ->required();

    // The rollout actions, as Argo Rollouts' kubectl plugin names them.
    using devflow::cli::RolloutAction;
    devflow::cli::RolloutActionFlags action_flags;
    std::vector<std::pair<CLI::App*, RolloutAction>> actions;
    auto add_action = [&](CLI::App* parent, const std::string& name, const std::string& help,
                          RolloutAction action, bool many) {
      CLI::App* command = parent->add_subcommand(name, help);
      command
          ->add_option("names", action_flags.names,
                       many ? "The Rollouts (one or more)" : "The Rollout")
          ->required()
          ->expected(1, many ? -1 : 1);
      actions.emplace_back(command, action);
      return command;
    };
    CLI::App* promote = add_action(&app, "promote",
                                   "Promote a Rollout: past its pause or current step, or "
                                   "(--full) all the way",
                                   RolloutAction::kPromote, false);
    promote->add_flag("--full", action_flags.promote.full,
                      "Skip the remaining steps and analysis: go to the new version at once");
    promote->add_flag("-c,--skip-current-step", action_flags.promote.skip_current_step,
                      "Move past the current step (as Argo's deprecated flag)");
    promote->add_flag("-a,--skip-all-steps", action_flags.promote.skip_all_steps,
                      "Move past every step (as Argo's deprecated flag)");
    add_action(&app, "abort", "Abort a Rollout: traffic back to the stable version",
               RolloutAction::kAbort, true);
    CLI::App* retry = app.add_subcommand("retry", "Retry an aborted Rollout or an Experiment");
    retry->require_subcommand(1);
    add_action(retry, "rollout", "Retry an aborted Rollout", RolloutAction::kRetry, true);

    // The Experiment and AnalysisRun actions, as Argo Rollouts' kubectl plugin names them.
    using devflow::cli::ExperimentAction;
    devflow::cli::ExperimentActionFlags experiment_flags;
    std::vector<std::pair<CLI::App*, ExperimentAction>> experiment_actions;
    auto add_experiment_action = [&](CLI::App* parent, const std::string& name,
                                     const std::string& alias, const std::string& help,
                                     const std::string& objects, ExperimentAction action) {
      CLI::App* command = parent->add_subcommand(name, help)->alias(alias)->alias(name + "s");
      command->add_option("names", experiment_flags.names, objects + " (one or more)")
          ->required()
          ->expected(1, -1);
      experiment_actions.emplace_back(command, action);
    };
    add_experiment_action(retry, "experiment", "exp", "Retry an Experiment (status: null)",
                          "The Experiments", ExperimentAction::kRetryExperiment);
    CLI::App* terminate = app.add_subcommand("terminate", "Terminate an AnalysisRun or Experiment");
    terminate->require_subcommand(1);
    add_experiment_action(terminate, "analysisrun", "ar",
                          "Terminate AnalysisRuns (spec.terminate: true)", "The AnalysisRuns",
                          ExperimentAction::kTerminateAnalysisRun);
    add_experiment_action(terminate, "experiment", "exp",
                          "Terminate Experiments (spec.terminate: true)", "The Experiments",
                          ExperimentAction::kTerminateExperiment);
    add_action(&app, "pause", "Pause a Rollout (spec.paused)", RolloutAction::kPause, true);
    add_action(&app, "resume", "Undo a pause (spec.paused=false)", RolloutAction::kResume, true);
    CLI::App* restart = add_action(&app, "restart", "Restart a Rollout's pods (spec.restartAt)",
                                   RolloutAction::kRestart, false);
    restart->add_option("--in", action_flags.restart_in, "When: a duration from now (30s, 5m)");
    CLI::App* undo = add_action(&app, "undo", "Roll a Rollout back to an earlier revision",
                                RolloutAction::kUndo, false);
    undo->add_option("--to-revision", action_flags.to_revision,
                     "The revision (default: the one before the current)");

    devflow::cli::StatusFlags status_flags;
    CLI::App* status = app.add_subcommand(
        "status",
        "Print a Rollout's phase; wait until it is Healthy (exit 0) or Degraded (exit 1)");
    status->add_option("name", status_flags.name, "The Rollout")->required();
    status->add_flag("-w,--watch,!--no-watch", status_flags.watch,
                     "Wait for Healthy or Degraded (the default); --watch=false prints once");
    status->add_option("-t,--timeout", status_flags.timeout,
                       "Give up (exit 1) after this long, e.g. 5m (default 0s: never)");

    CLI11_PARSE(app, argc, argv);

    for (const auto& [command, action] : actions) {
      if (command->parsed()) {
        action_flags.action = action;
        return devflow::cli::RunRolloutAction(kube, action_flags, std::cout, std::cerr);
      }
    }

    for (const auto& [command, action] : experiment_actions) {
      if (command->parsed()) {
        experiment_flags.action = action;
        return devflow::cli::RunExperimentAction(kube, experiment_flags, std::cout, std::cerr);
      }
    }

    if (version->parsed()) {
      std::cout << "devflow " << devflow::kVersion << " (" << devflow::kGitDescribe << ")\n";
      return 0;
    }
    if (lint->parsed()) return devflow::cli::RunLint(lint_files, std::cin, std::cout, std::cerr);
    if (serve->parsed()) return devflow::cli::RunServe(serve_flags, std::cout, std::cerr);
    if (controller->parsed()) {
      return devflow::cli::RunController(kube, controller_flags, std::cout, std::cerr);
    }
    if (apply->parsed()) {
      return devflow::cli::RunApply(kube, apply_files, std::cin, std::cout, std::cerr);
    }
    if (status->parsed()) return devflow::cli::RunStatus(kube, status_flags, std::cout, std::cerr);
    if (set_image->parsed()) {
      return devflow::cli::RunSetImage(kube, set_image_flags, std::cout, std::cerr);
    }
    if (down->parsed()) return devflow::cli::RunDown(down_flags, std::cout, std::cerr);
    if (logs->parsed()) return devflow::cli::RunLogs(kube, logs_flags, std::cout, std::cerr);
    if (get->parsed()) return devflow::cli::RunGet(kube, get_flags, std::cout, std::cerr);
    if (del->parsed()) {
      return devflow::cli::RunDelete(kube, delete_flags, std::cin, std::cout, std::cerr);
    }
    return 0;
  } catch (const std::exception& e) {
    // Last resort: expected failures are Status values, so reaching here is a
    // bug.
    std::cerr << "devflow: internal error: " << e.what() << "\n";
    return 70;
  }
}
