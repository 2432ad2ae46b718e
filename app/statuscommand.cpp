// `meshwright status`: each link's state, read live over SSH (once or --watch).
#include "commandcontext.h"
#include "commandline.h"

#include "deployment.h"
#include "keystore.h"
#include "sshstatuspoller.h"
#include "statusreport.h"

#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QJsonDocument>
#include <QTimer>

#include <atomic>
#include <csignal>

namespace CommandLine {

namespace {

/// Set by SIGINT/SIGTERM to end `status --watch`.
std::atomic_bool interrupted = false;

} // namespace

int status(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Asks every host with ssh settings for its WireGuard state (wg show latest-handshakes, transfer, "
        "endpoints; never the private key) and judges every link from both ends: alive (a handshake "
        "younger than 180 s), idle (older, but no keepalive and no traffic), down, one-sided (one end "
        "sees a fresh handshake, the other does not) or unknown. Hosts without SSH are judged from "
        "their peers. Host keys must already be known (deploy records them); status never accepts one. "
        "Exit status 0 when every link that should be up is alive, 1 otherwise. With --watch it polls "
        "every interval until interrupted and prints each round (rates from the second round on)."));
    parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("JSON: one object per round, with both ends' view of every link."));
    const QCommandLineOption watchOption(QStringLiteral("watch"), QStringLiteral("Keep polling and print every round until interrupted."));
    const QCommandLineOption intervalOption(QStringLiteral("interval"), QStringLiteral("Seconds between polls (default 5)."),
                                            QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption knownHostsOption(QStringLiteral("known-hosts"),
                                              QStringLiteral("The known_hosts file (default ~/.ssh/known_hosts)."), QStringLiteral("FILE"));
    parser.addOptions({jsonOption, watchOption, intervalOption, knownHostsOption, KeysOption});
    const QString usage = QStringLiteral("meshwright status PROJECT.yaml [--json] [--watch] [--interval S] [--known-hosts FILE] [--keys FILE]");
    if (const int rc = parseCommand(parser, arguments, usage, 1, c); rc >= 0)
        return rc;
    StatusOptions options;
    bool ok = true;
    options.interval = parser.value(intervalOption).toInt(&ok);
    if (!ok || options.interval < 1 || options.interval > 3600) {
        c.err << "meshwright: --interval takes seconds from 1 to 3600\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    options.knownHostsFile = parser.value(knownHostsOption);
    const bool json = parser.isSet(jsonOption);
    const bool watch = parser.isSet(watchOption);

    const QString projectPath = parser.positionalArguments().front();
    int exitCode = CommandLine::Success;
    auto opened = loadValidProjectWithKeys(parser, projectPath, c, "nothing asked", &exitCode);
    if (!opened)
        return exitCode;
    const LoadedProject *loaded = &opened->loaded;
    KeyStore &keys = opened->keys;
    QString error;
    const auto targets = Deployment::pollTargets(loaded->project, &error);
    if (!targets) {
        c.err << "error: " << projectPath << ": " << error << Qt::endl;
        return CommandLine::BadInput;
    }
    if (targets->isEmpty()) {
        c.err << "error: " << projectPath << ": no host has ssh settings; nothing to ask" << Qt::endl;
        return CommandLine::BadInput;
    }
    if (keys.isModified()) // made in memory just now: no host can know them
        c.err << "warning: " << QDir::toNativeSeparators(keyStorePath(parser, projectPath))
              << " lacks keys of some hosts (never generated or deployed?); their links cannot be matched" << Qt::endl;

    const LinkStatusBoard initial(loaded->project, keys);
    LinkStatusBoard board = initial;
    QHash<QString, QString> reasons;
    QSet<QString> answered;
    SshStatusPoller poller;
    QEventLoop loop;
    int result = CommandLine::ProjectErrors;
    const auto print = [&] {
        const QList<LinkStatus> links = board.links();
        const QList<HostStatus> hosts = StatusReport::hosts(board, reasons);
        const QDateTime now = QDateTime::currentDateTime();
        if (json)
            c.out << QJsonDocument(StatusReport::json(links, hosts, now)).toJson(watch ? QJsonDocument::Compact : QJsonDocument::Indented);
        else
            c.out << (watch ? now.toString(QStringLiteral("--- yyyy-MM-dd HH:mm:ss.zzz\n")) : QString()) << StatusReport::table(links, hosts)
                  << (watch ? "\n" : "");
        c.out.flush();
        result = StatusReport::healthy(links) ? CommandLine::Success : CommandLine::ProjectErrors;
    };
    // A round is printed as soon as every host has answered since the last one, or an
    // interval after the round's first answer when some host is slow or waits for a retry.
    QSet<QString> round;
    bool printed = false;
    QTimer lateRound;
    lateRound.setSingleShot(true);
    lateRound.setInterval(options.interval * 1000);
    const auto endRound = [&] {
        lateRound.stop();
        round.clear();
        print();
    };
    QObject::connect(&lateRound, &QTimer::timeout, &loop, endRound);
    const auto answer = [&](const QString &host) {
        answered.insert(host);
        if (!watch) {
            if (answered.size() == targets->size())
                loop.quit();
            return;
        }
        if (!printed) { // the first round waits for every host
            if (answered.size() == targets->size()) {
                printed = true;
                endRound();
            }
            return;
        }
        if (round.isEmpty())
            lateRound.start();
        round.insert(host);
        if (round.size() == targets->size())
            endRound();
    };
    QObject::connect(&poller, &StatusPoller::polled, &loop, [&](const QString &host, const HostSample &sample) {
        board.update(board.indexOf(host), sample);
        reasons.remove(host);
        answer(host);
    });
    QObject::connect(&poller, &StatusPoller::unreachable, &loop, [&](const QString &host, const QString &reason) {
        board.unreachable(board.indexOf(host));
        reasons.insert(host, reason);
        answer(host);
    });
    QTimer interruption;
    interruption.setInterval(100);
    QObject::connect(&interruption, &QTimer::timeout, &loop, [&] {
        if (interrupted)
            loop.quit();
    });
    const auto onSignal = [](int) { interrupted = true; };
    if (watch) {
        interrupted = false;
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        interruption.start();
    }
    poller.start(*targets, options);
    loop.exec();
    poller.stop();
    if (!watch)
        print();
    return result;
}

} // namespace CommandLine
