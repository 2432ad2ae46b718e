// `meshwright deploy` (one transaction for the fleet) and `meshwright decommission`.
#include "commandcontext.h"

#include "commandline.h"
#include "deployment.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "sshdeployer.h"
#include "sshhostagent.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QJsonDocument>

#include <openssl/crypto.h>

namespace CommandLine {

namespace {

QStringList hostList(const QString &value)
{
    QStringList names;
    for (const QString &name : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
        names.append(name.trimmed());
    return names;
}

void printLinks(const QList<LinkCheck> &checks, const char *what, QTextStream &out)
{
    for (const LinkCheck &check : checks)
        out << what << ' ' << check.link.name() << ": " << linkResultName(check.result)
            << (check.detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(check.detail)) << '\n';
}

} // namespace

int deploy(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Deploys the project to every host with ssh settings (or those named) as one transaction. Prepare: "
        "every host is connected (its key must be known, or accepted with --accept-new-host-keys), read, and "
        "given its candidate config, which the host's own wg-quick checks; if a host fails, nothing is switched "
        "anywhere. Switch: every changed host backs up its config, arms a timer that restores it unless "
        "confirmed, installs and reloads (wg syncconf and the routes wg-quick would make, or a restart when "
        "addresses, MTU, DNS, Table, hooks or a /0 change). Verify: every link between two deployed hosts must "
        "answer an echo through the tunnel. Then every host is confirmed, or every switched host is rolled back "
        "and the previous links checked again. Hosts installed by hand (phones) are named when they must "
        "import their config again. --dry-run shows the diffs and changes nothing. Exit status 0 when the "
        "deploy was confirmed or nothing changed."));
    parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
    const QCommandLineOption hostsOption(QStringLiteral("hosts"),
                                         QStringLiteral("Only these hosts (comma-separated); links to the others wait for them."),
                                         QStringLiteral("a,b"));
    const QCommandLineOption dryRunOption(QStringLiteral("dry-run"), QStringLiteral("Show the diffs, change nothing."));
    const QCommandLineOption jobsOption(QStringLiteral("jobs"), QStringLiteral("Hosts at work at a time (default 8)."),
                                        QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption acceptOption(QStringLiteral("accept-new-host-keys"),
                                          QStringLiteral("Record the keys of hosts not in known_hosts yet (never a changed key)."));
    const QCommandLineOption knownHostsOption(QStringLiteral("known-hosts"),
                                              QStringLiteral("The known_hosts file (default ~/.ssh/known_hosts)."), QStringLiteral("FILE"));
    const QCommandLineOption confirmOption(QStringLiteral("confirm-timeout"),
                                           QStringLiteral("Seconds after the switch until a host rolls back by itself unless the "
                                                          "whole deploy was confirmed (default 60)."),
                                           QStringLiteral("S"), QStringLiteral("60"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("Print the result as one JSON object (progress goes to stderr)."));
    parser.addOptions({hostsOption, dryRunOption, jobsOption, acceptOption, knownHostsOption, confirmOption, jsonOption, KeysOption});
    const QString usage = QStringLiteral("meshwright deploy PROJECT.yaml [--hosts a,b] [--dry-run] [--jobs N] [--accept-new-host-keys] "
                                         "[--known-hosts FILE] [--confirm-timeout S] [--json] [--keys FILE]");
    if (const int rc = parseCommand(parser, arguments, usage, 1, c); rc >= 0)
        return rc;
    bool ok = true;
    const int jobs = parser.value(jobsOption).toInt(&ok);
    if (!ok || jobs < 1 || jobs > 64) {
        c.err << "meshwright: --jobs takes a number from 1 to 64\nUsage: " << usage << Qt::endl;
        return BadInput;
    }
    const int confirmTimeout = parser.value(confirmOption).toInt(&ok);
    if (!ok || confirmTimeout < 20 || confirmTimeout > 3600) {
        c.err << "meshwright: --confirm-timeout takes seconds from 20 to 3600\nUsage: " << usage << Qt::endl;
        return BadInput;
    }
    DeployOptions options = DeployOptions::fromUser(parser.value(knownHostsOption), confirmTimeout, jobs);
    options.dryRun = parser.isSet(dryRunOption);
    options.acceptNewHostKeys = parser.isSet(acceptOption);
    const bool json = parser.isSet(jsonOption);
    QTextStream &progress = json ? c.err : c.out;

    const QString projectPath = parser.positionalArguments().front();
    int exitCode = Success;
    auto opened = loadValidProjectWithKeys(parser, projectPath, c, "nothing deployed", &exitCode);
    if (!opened)
        return exitCode;
    auto &[loaded, keys, keysPath] = *opened;
    QString error;
    // New keys go to the key store before any host gets them.
    const Planner planner(loaded.project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    if (keys.isModified() && !keys.save(keysPath, &error)) {
        c.err << "error: " << error << "; nothing deployed" << Qt::endl;
        return BadInput;
    }
    const auto plan = Deployment::plan(loaded.project, keys, hostList(parser.value(hostsOption)), &error);
    if (!plan) {
        c.err << "error: " << projectPath << ": " << error << "; nothing deployed" << Qt::endl;
        return BadInput;
    }
    if (plan->targets.isEmpty()) {
        c.err << "error: " << projectPath << ": no host has ssh settings; nothing to deploy" << Qt::endl;
        return BadInput;
    }
    progress << "plan: " << plan->targets.size() << " hosts (" << plan->hostNames().join(QLatin1String(", ")) << "), "
             << plan->links.size() << " links to verify" << '\n';
    for (const QString &waiting : plan->waiting)
        progress << "waiting: " << waiting << '\n';
    for (const DeployPlan::HandInstalled &hand : plan->handInstalled)
        progress << "installed by hand: " << hand.host << " (its links are not awaited)" << '\n';
    progress.flush();

    SshDeployer deployer;
    DeployReport report;
    QEventLoop loop;
    QObject::connect(&deployer, &Deployer::phaseStarted, &loop, [&](DeployPhase phase, const QString &detail) {
        if (phase != DeployPhase::Done)
            progress << "phase: " << deployPhaseName(phase) << (detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(detail)) << Qt::endl;
    });
    QObject::connect(&deployer, &Deployer::stepStarted, &loop, [&](const QString &host, DeployStep step, const QString &detail) {
        progress << host << ": " << deployStepName(step) << (detail.isEmpty() ? QString() : QStringLiteral(" ") + detail) << Qt::endl;
    });
    QObject::connect(&deployer, &Deployer::prepared, &loop, [&](const DeployReport &prepared) {
        QStringList switching;
        for (const DeployResult &result : prepared.hosts) {
            if (!result.diff.isEmpty())
                progress << result.diff << '\n';
            if (result.changes)
                switching.append(result.host);
        }
        if (!switching.isEmpty())
            progress << (options.dryRun ? "would switch: " : "to switch: ") << switching.join(QLatin1String(", ")) << '\n';
        for (const QString &host : prepared.reimport)
            progress << "re-import: " << host << " (its config changes: scan its QR code or copy its config file again)" << '\n';
        progress.flush();
    });
    QObject::connect(&deployer, &Deployer::linkChecked, &loop, [&](const LinkCheck &check) {
        printLinks({check}, "link", progress);
        progress.flush();
    });
    QObject::connect(&deployer, &Deployer::finished, &loop, [&](const DeployReport &result) {
        report = result;
        loop.quit();
    });
    deployer.start(*plan, options);
    loop.exec();

    if (report.verdict == DeployReport::Verdict::Confirmed) {
        QStringList tookPart;
        for (const DeployResult &result : std::as_const(report.hosts))
            tookPart.append(result.host);
        report.settled = Deployment::settleRotations(loaded.project, tookPart, keys);
        if (keys.isModified() && !keys.save(keysPath, &error))
            c.err << "error: the deploy was confirmed, but the key store could not record it: " << error << Qt::endl;
    } else if (keys.hasPendingRotation() && report.verdict == DeployReport::Verdict::RolledBack) {
        progress << "note: the key rotation is still pending; the hosts run the previous keys (deploy again to retry)" << '\n';
    }
    if (!report.previousLinks.isEmpty())
        printLinks(report.previousLinks, "previous link", progress);
    for (const QString &settled : std::as_const(report.settled))
        progress << "settled: " << settled << '\n';
    progress.flush();
    if (json) {
        c.out << QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented) << Qt::flush;
    } else {
        c.out << "\nhost                 result        step                 reason\n";
        for (const DeployResult &result : std::as_const(report.hosts))
            c.out << result.host.leftJustified(20) << ' ' << deployOutcomeName(result.outcome).leftJustified(13) << ' '
                  << deployStepName(result.step).leftJustified(20) << ' ' << result.reason << '\n';
        c.out << report.summary() << Qt::endl;
    }
    return report.succeeded() ? Success : ProjectErrors;
}

int decommission(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Retires HOST after it was removed from the project (and the rest of the fleet deployed without it): "
        "takes its WireGuard interfaces down and deletes its configs. HOST's ssh settings come from OLD.yaml, a "
        "copy of the project from before the removal (for example from git). Never part of a deploy or its rollback."));
    parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project, without HOST."));
    parser.addPositionalArgument(QStringLiteral("HOST"), QStringLiteral("The host to retire."));
    const QCommandLineOption fromOption(QStringLiteral("ssh-from"), QStringLiteral("The project file that still has HOST."),
                                        QStringLiteral("OLD.yaml"));
    const QCommandLineOption knownHostsOption(QStringLiteral("known-hosts"),
                                              QStringLiteral("The known_hosts file (default ~/.ssh/known_hosts)."), QStringLiteral("FILE"));
    parser.addOptions({fromOption, knownHostsOption, KeysOption});
    const QString usage = QStringLiteral("meshwright decommission PROJECT.yaml HOST --ssh-from OLD.yaml [--known-hosts FILE] [--keys FILE]");
    if (const int rc = parseCommand(parser, arguments, usage, 2, c); rc >= 0)
        return rc;
    if (parser.value(fromOption).isEmpty()) {
        c.err << "meshwright: decommission needs --ssh-from OLD.yaml\nUsage: " << usage << Qt::endl;
        return BadInput;
    }
    const QString projectPath = parser.positionalArguments()[0];
    const QString host = parser.positionalArguments()[1];
    ProjectFile::LoadError loadError;
    const auto project = ProjectFile::load(projectPath, &loadError);
    const auto old = project ? ProjectFile::load(parser.value(fromOption), &loadError) : std::nullopt;
    if (!project || !old) {
        c.err << "error: " << loadError.toString() << Qt::endl;
        return BadInput;
    }
    if (project->indexOf(host) >= 0) {
        c.err << "error: " << projectPath << " still has " << host
              << ": remove it from the project and deploy the rest of the fleet first; nothing changed" << Qt::endl;
        return BadInput;
    }
    KeyStore keys;
    if (!loadKeys(keyStorePath(parser, projectPath), &keys, c))
        return BadInput;
    QString error;
    // The files only name what to delete; the keys in them are never sent.
    const auto targets = Deployment::targets(*old, keys, {host}, &error);
    if (!targets) {
        c.err << "error: " << parser.value(fromOption) << ": " << error << "; nothing changed" << Qt::endl;
        return BadInput;
    }
    const DeployOptions options = DeployOptions::fromUser(parser.value(knownHostsOption), DeployOptions().confirmTimeout,
                                                          1);
    std::optional<DeployFailure> failure;
    QStringList done;
    {
        SshHostAgent agent(targets->front(), options);
        failure = agent.decommission([&](DeployStep step, const QString &detail) {
            c.out << host << ": " << deployStepName(step) << (detail.isEmpty() ? QString() : QStringLiteral(" ") + detail) << Qt::endl;
        }, &done);
    }
    OPENSSL_thread_stop();
    if (failure) {
        c.err << "error: " << host << ": " << deployStepName(failure->step) << ": " << failure->reason << Qt::endl;
        return ProjectErrors;
    }
    for (const QString &line : std::as_const(done))
        c.out << host << ": " << line << '\n';
    c.out << host << ": decommissioned (" << (done.isEmpty() ? QStringLiteral("nothing was left") : QStringLiteral("%1 changes").arg(done.size()))
          << ")" << Qt::endl;
    return Success;
}

} // namespace CommandLine
