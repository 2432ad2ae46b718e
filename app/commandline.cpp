// The `meshwright` command line: generate, validate, qr, deploy, status, export, keys.
#include "commandline.h"

#include "commandcontext.h"

#include "atomicfile.h"
#include "deployment.h"
#include "sshdeployer.h"
#include "sshstatuspoller.h"
#include "statusreport.h"
#include "exporter.h"
#include "generation.h"
#include "qrcode.h"
#include "qrpayload.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "validator.h"

#include <QBuffer>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTextStream>
#include <QTimer>

#include <atomic>
#include <csignal>

namespace {

const char *const Overview = R"(Meshwright: draw, generate, deploy and watch WireGuard networks.

Usage: meshwright [PROJECT.yaml]
       meshwright COMMAND [OPTIONS]

With no command, or with just a project file, the editor opens (on the bundled
example when no file is given).

Commands:
  generate PROJECT.yaml --out DIR [--hosts a,b]
                          write every host's configs (DIR/HOST/wg0.conf, per-gateway
                          profiles of roaming clients, OpenBSD's hostname.wg0)
  validate PROJECT.yaml   check the project; exit 1 when it has errors
  qr PROJECT.yaml HOST [--profile NAME] (--out FILE.png|FILE.svg | --terminal)
                          the host's config as a QR code for the WireGuard app
  deploy PROJECT.yaml [--hosts a,b] [--dry-run] [--jobs N] [--accept-new-host-keys]
         [--known-hosts FILE] [--confirm-timeout S] [--json]
                          push the configs over SSH as one transaction: prepare every
                          host, switch every host, verify every link by a ping through
                          the tunnel, then confirm every host or roll every one back
                          (a timer on each host rolls back too)
  decommission PROJECT.yaml HOST --ssh-from OLD.yaml
                          take a host removed from the project off the air: its
                          interfaces down, its configs deleted
  status PROJECT.yaml [--json] [--watch] [--interval S] [--known-hosts FILE]
                          every link's state from both ends (wg show over SSH):
                          exit 0 when every link that should be up is alive
  keys import PROJECT.yaml DIR
                          adopt wireguardmeshgenerator's keys (DIR/HOST/priv.key,
                          DIR/psk/A_B.key) so a running mesh keeps its keys
  keys rotate PROJECT.yaml HOST [--psk [PEER]]
                          replace HOST's key pair (or the preshared keys of its links,
                          or of one link); the next deploy switches both ends of
                          every link it touches, and the old keys are kept until
                          that deploy is confirmed
  keys list PROJECT.yaml  print every host's public key
  export PROJECT.yaml --format edgeos|vyos|k8s --out DIR
                          router command scripts (DIR/HOST.sh) for EdgeOS or VyOS, or
                          Kubernetes manifests (DIR/meshwright-wireguard.yaml)

Keys live beside the project in PROJECT.keys (mode 0600), never in the YAML;
--keys FILE names another key store.

Run 'meshwright COMMAND --help' for a command's options.
Exit status: 0 success, 1 the project has errors (deploy: rolled back or nothing
switched; status: a link that should be up is not alive), 2 bad input or usage.
)";

using namespace CommandLine;

int generate(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes every host's configs below DIR: DIR/HOST/wg0.conf, a roaming client's "
        "per-gateway profiles DIR/HOST/wg0-GATEWAY.conf, and for OpenBSD DIR/HOST/hostname.wg0. "
        "Files are written whole (temporary file, then rename) with mode 0600. Keys are made "
        "on first use and kept in the key store. Nothing is written when the project has errors."));
    parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
    const QCommandLineOption outOption({QStringLiteral("o"), QStringLiteral("out")},
                                       QStringLiteral("The output folder."), QStringLiteral("DIR"));
    const QCommandLineOption hostsOption(QStringLiteral("hosts"),
                                         QStringLiteral("Only these hosts (comma-separated)."),
                                         QStringLiteral("a,b"));
    parser.addOptions({outOption, hostsOption, KeysOption});
    const QString usage = QStringLiteral("meshwright generate PROJECT.yaml --out DIR [--hosts a,b] [--keys FILE]");
    if (const int rc = parseCommand(parser, arguments, usage, 1, c); rc >= 0)
        return rc;
    if (!parser.isSet(outOption) || parser.value(outOption).isEmpty()) {
        c.err << "meshwright: generate needs --out DIR\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    QElapsedTimer timer;
    timer.start();
    const QString projectPath = parser.positionalArguments().front();
    int exitCode = CommandLine::Success;
    auto opened = loadValidProjectWithKeys(parser, projectPath, c, "no files written", &exitCode);
    if (!opened)
        return exitCode;
    const Project &project = opened->loaded.project;
    KeyStore &keys = opened->keys;
    const QString &keysPath = opened->keysPath;

    QList<qsizetype> selected;
    if (parser.isSet(hostsOption)) {
        for (const QString &name : parser.value(hostsOption).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const qsizetype index = project.indexOf(name.trimmed());
            if (index < 0) {
                c.err << "error: --hosts: " << projectPath << " has no host '" << name.trimmed()
                      << "'; no files written" << Qt::endl;
                return CommandLine::BadInput;
            }
            if (!selected.contains(index))
                selected.append(index);
        }
    } else {
        for (qsizetype i = 0; i < project.hosts.size(); ++i)
            selected.append(i);
    }

    QString error;
    const QString outDir = parser.value(outOption);
    Generation::Summary summary;
    if (!Generation::run(project, keys, keysPath, outDir, selected, &summary, &error)) {
        c.err << "error: " << error << Qt::endl;
        return CommandLine::BadInput;
    }
    if (summary.keysCreated > 0)
        c.out << "created " << summary.keysCreated << " keys in " << QDir::toNativeSeparators(keysPath) << '\n';
    c.out << "wrote " << summary.files << " files for " << summary.hosts << " hosts to "
          << QDir::toNativeSeparators(outDir) << " (" << summary.bytes << " bytes, " << timer.elapsed()
          << " ms)" << Qt::endl;
    return CommandLine::Success;
}

int validate(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Checks the project and prints 'error|warning: HOST[ -> PEER]: message' per finding. "
        "Exit status 1 when there is an error, 2 when the file cannot be read."));
    parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
    const QString usage = QStringLiteral("meshwright validate PROJECT.yaml");
    if (const int rc = parseCommand(parser, arguments, usage, 1, c); rc >= 0)
        return rc;
    const QString projectPath = parser.positionalArguments().front();
    auto loaded = loadProject(projectPath, c);
    if (!loaded)
        return CommandLine::BadInput;
    printFindings(loaded->findings, c.out);
    const auto errors = std::count_if(loaded->findings.cbegin(), loaded->findings.cend(),
                                      [](const Diagnostic &d) { return d.isError(); });
    c.out << projectPath << ": " << loaded->project.hosts.size() << " hosts, " << errors
          << " errors, " << loaded->findings.size() - errors << " warnings" << Qt::endl;
    return errors > 0 ? CommandLine::ProjectErrors : CommandLine::Success;
}

int qr(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Draws HOST's config (or another of its interfaces, or a per-gateway profile) as a QR code that the WireGuard "
        "Android app imports: only the keys the app accepts, keys it would reject are left out and "
        "named. Written as PNG or SVG, or drawn in the terminal with Unicode half blocks."));
    parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
    parser.addPositionalArgument(QStringLiteral("HOST"), QStringLiteral("The host (a phone, a laptop, any host)."));
    const QCommandLineOption profileOption(QStringLiteral("profile"),
                                           QStringLiteral("wg0 (default), another interface, or a per-gateway profile such as wg0-GATEWAY."),
                                           QStringLiteral("NAME"));
    const QCommandLineOption outOption({QStringLiteral("o"), QStringLiteral("out")},
                                       QStringLiteral("Write FILE.png or FILE.svg."), QStringLiteral("FILE"));
    const QCommandLineOption terminalOption(QStringLiteral("terminal"), QStringLiteral("Draw the code in the terminal."));
    parser.addOptions({profileOption, outOption, terminalOption, KeysOption});
    const QString usage = QStringLiteral("meshwright qr PROJECT.yaml HOST [--profile NAME] (--out FILE.png|FILE.svg | --terminal)");
    if (const int rc = parseCommand(parser, arguments, usage, 2, c); rc >= 0)
        return rc;
    const QString out = parser.value(outOption);
    if (parser.isSet(terminalOption) == !out.isEmpty()
        || (!out.isEmpty() && !out.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)
            && !out.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive))) {
        c.err << "meshwright: qr needs either --out FILE.png|FILE.svg or --terminal\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    const QString projectPath = parser.positionalArguments()[0];
    const QString hostName = parser.positionalArguments()[1];
    int exitCode = CommandLine::Success;
    auto opened = loadValidProjectWithKeys(parser, projectPath, c, "no QR code made", &exitCode);
    if (!opened)
        return exitCode;
    const LoadedProject *loaded = &opened->loaded;
    KeyStore &keys = opened->keys;
    const QString &keysPath = opened->keysPath;
    const qsizetype host = loaded->project.indexOf(hostName);
    if (host < 0) {
        c.err << "error: " << projectPath << " has no host '" << hostName << "'" << Qt::endl;
        return CommandLine::BadInput;
    }
    QString error;
    const QList<std::pair<QString, InterfaceConfig>> configs = Generation::profiles(Generation::planHost(loaded->project, keys, host));
    // Keys made now must be the ones the gateways get later: keep them.
    if (keys.isModified() && !keys.save(keysPath, &error)) {
        c.err << "error: " << error << Qt::endl;
        return CommandLine::BadInput;
    }
    const QString profile = parser.value(profileOption);
    const InterfaceConfig *config = profile.isEmpty() ? &configs.front().second : nullptr;
    QStringList profiles;
    for (const auto &[name, candidate] : configs) {
        profiles.append(name);
        if (name == profile)
            config = &candidate;
    }
    if (!config) {
        c.err << "error: " << hostName << " has no profile '" << profile << "'; it has " << profiles.join(QLatin1String(", "))
              << Qt::endl;
        return CommandLine::BadInput;
    }
    QStringList leftOut;
    const QByteArray payload = QrPayload::build(*config, &leftOut);
    for (const QString &what : std::as_const(leftOut))
        c.err << "note: " << hostName << ": left out of the QR code, the WireGuard app would reject it: " << what << '\n';
    const auto code = QrCode::encode(payload, &error);
    if (!code) {
        c.err << "error: " << hostName << ": " << error << Qt::endl;
        return CommandLine::ProjectErrors;
    }
    if (parser.isSet(terminalOption)) {
        c.out << code->toTerminal() << Qt::flush;
    } else {
        const QByteArray data = out.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive) ? code->toSvg() : [&] {
            QByteArray png;
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            code->toImage(8).save(&buffer, "PNG");
            return png;
        }();
        // The code holds a private key: readable by the user alone.
        if (!AtomicFile::write(out, data, 0600, &error)) {
            c.err << "error: " << error << Qt::endl;
            return CommandLine::BadInput;
        }
        c.out << "wrote " << QDir::toNativeSeparators(out) << '\n';
    }
    c.err << hostName << ": " << payload.size() << " bytes, QR version " << code->version() << ", error correction "
          << (code->level() == QrCode::Level::M ? "M" : "L") << Qt::endl;
    return CommandLine::Success;
}

/// Set by SIGINT/SIGTERM to end `status --watch`.
std::atomic_bool interrupted = false;

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
    const auto targets = Deployment::targets(loaded->project, keys, {}, &error);
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

int keys(const QStringList &arguments, Context &c)
{
    const QString action = arguments.value(0);
    const QString usage = QStringLiteral("meshwright keys import PROJECT.yaml DIR | "
                                         "keys rotate PROJECT.yaml HOST [--psk [PEER]] | keys list PROJECT.yaml");
    QCommandLineParser parser;
    parser.addOption(KeysOption);
    const QCommandLineOption pskOption(QStringLiteral("psk"),
                                       QStringLiteral("Rotate the preshared keys of HOST's links instead of its key pair; with "
                                                      "PEER, only that link's."));
    qsizetype positionals = 0;
    if (action == QLatin1String("import")) {
        parser.setApplicationDescription(QStringLiteral(
            "Adopts wireguardmeshgenerator's keys: DIR/HOST/priv.key (checked against pub.key) and "
            "DIR/psk/A_B.key, for the project's hosts. Nothing changes if a key is invalid."));
        parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
        parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("wireguardmeshgenerator's keys/ folder."));
        positionals = 2;
    } else if (action == QLatin1String("rotate")) {
        parser.setApplicationDescription(QStringLiteral(
            "Replaces HOST's key pair (or with --psk the preshared keys of its links, or of the link to PEER). The "
            "rotation is pending until a deploy that installs it on the hosts is confirmed: the key store keeps the "
            "keys the hosts run until then, and a rolled-back deploy leaves the rotation pending for another try. "
            "Deploy HOST and its peers in one deploy; hosts installed by hand are named for re-import."));
        parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
        parser.addPositionalArgument(QStringLiteral("HOST"), QStringLiteral("The host."));
        parser.addPositionalArgument(QStringLiteral("PEER"), QStringLiteral("With --psk: only the link to this peer."), QStringLiteral("[PEER]"));
        parser.addOption(pskOption);
        positionals = -1;
    } else if (action == QLatin1String("list")) {
        parser.setApplicationDescription(QStringLiteral("Prints every host's public key (never a private one)."));
        parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
        positionals = 1;
    } else {
        c.err << "meshwright: keys needs one of import, rotate, list\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    if (const int rc = parseCommand(parser, arguments.mid(1), usage, positionals, c); rc >= 0)
        return rc;
    const QStringList args = parser.positionalArguments();
    ProjectFile::LoadError loadError;
    const auto project = ProjectFile::load(args[0], &loadError);
    if (!project) {
        c.err << "error: " << loadError.toString() << Qt::endl;
        return CommandLine::BadInput;
    }
    const QString keysPath = keyStorePath(parser, args[0]);
    KeyStore store;
    QString error;
    if (!store.load(keysPath, &error)) {
        c.err << "error: " << error << Qt::endl;
        return CommandLine::BadInput;
    }
    const Planner planner(*project);
    if (action == QLatin1String("list")) {
        store.ensure(planner.keyIds(), planner.presharedKeyPairs());
        if (store.isModified() && !store.save(keysPath, &error)) {
            c.err << "error: " << error << Qt::endl;
            return CommandLine::BadInput;
        }
        for (const Host &host : project->hosts) {
            const QString id = Planner::keyId(host);
            c.out << host.name << ' ' << store.publicKey(id) << '\n';
            if (store.pendingKeyIds().contains(id))
                c.out << host.name << " pending: runs " << store.runningPublicKey(id) << " until a deploy of the new key is confirmed\n";
        }
        for (const auto &[a, b] : store.pendingPresharedPairs())
            c.out << a << " <-> " << b << " pending: a new preshared key waits for a confirmed deploy\n";
        c.out.flush();
        return CommandLine::Success;
    }
    if (action == QLatin1String("rotate")) {
        const Host *host = args.size() >= 2 ? project->host(args[1]) : nullptr;
        if (args.size() < 2 || args.size() > 3 || (args.size() == 3 && !parser.isSet(pskOption))) {
            c.err << "meshwright: wrong number of arguments\nUsage: " << usage << Qt::endl;
            return CommandLine::BadInput;
        }
        if (!host) {
            c.err << "error: " << args[0] << " has no host '" << args[1] << "'" << Qt::endl;
            return CommandLine::BadInput;
        }
        if (parser.isSet(pskOption)) {
            const qsizetype index = project->indexOf(args[1]);
            store.ensure(planner.keyIds(), planner.presharedKeyPairs());
            qsizetype rotated = 0;
            for (const auto &[a, b] : planner.presharedKeyPairsOf(index)) {
                const QString other = a.section(QLatin1Char('/'), 0, 0) == args[1] ? b : a;
                if (args.size() == 3 && other.section(QLatin1Char('/'), 0, 0) != args[2])
                    continue;
                if (store.rotatePresharedKey(a, b)) {
                    c.out << a << " <-> " << b << ": new preshared key (pending until a deploy is confirmed)\n";
                    ++rotated;
                }
            }
            if (rotated == 0) {
                c.err << "error: " << args[1] << (args.size() == 3 ? QStringLiteral(" has no link with a preshared key to ") + args[2]
                                                                   : QStringLiteral(" has no links with preshared keys"))
                      << "; nothing rotated" << Qt::endl;
                return CommandLine::BadInput;
            }
        } else {
            store.rotate(Planner::keyId(*host));
        }
    } else {
        QStringList names;
        for (const Host &host : project->hosts)
            names.append(host.name);
        QStringList report;
        if (!store.importDirectory(args[1], names, &report, &error)) {
            c.err << "error: " << error << "; nothing imported" << Qt::endl;
            return CommandLine::BadInput;
        }
        for (const QString &line : std::as_const(report))
            c.out << line << '\n';
    }
    if (!store.save(keysPath, &error)) {
        c.err << "error: " << error << Qt::endl;
        return CommandLine::BadInput;
    }
    if (action == QLatin1String("rotate") && !parser.isSet(pskOption))
        c.out << args[1] << ": new public key " << store.publicKey(args[1]) << " (pending until a deploy is confirmed)\n";
    c.out << "saved " << QDir::toNativeSeparators(keysPath) << Qt::endl;
    return CommandLine::Success;
}

int exportCommand(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Exports the project for routers and clusters. edgeos, vyos: DIR/HOST.sh, a command script "
        "per EdgeOS resp. VyOS host (else per host with router settings) with its interfaces, firewall "
        "rules, static routes and MSS clamping. k8s: DIR/meshwright-wireguard.yaml, per Kubernetes node "
        "a Secret with its config and a DaemonSet that brings the tunnel up on the node. Files are "
        "written with mode 0600 (they hold private keys); keys are made on first use and kept in the "
        "key store. Nothing is written when the project has errors."));
    parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
    const QCommandLineOption formatOption({QStringLiteral("f"), QStringLiteral("format")},
                                          QStringLiteral("edgeos, vyos or k8s."), QStringLiteral("FORMAT"));
    const QCommandLineOption outOption({QStringLiteral("o"), QStringLiteral("out")},
                                       QStringLiteral("The output folder."), QStringLiteral("DIR"));
    parser.addOptions({formatOption, outOption, KeysOption});
    const QString usage = QStringLiteral("meshwright export PROJECT.yaml --format edgeos|vyos|k8s --out DIR [--keys FILE]");
    if (const int rc = parseCommand(parser, arguments, usage, 1, c); rc >= 0)
        return rc;
    const auto format = Exporter::formatFromName(parser.value(formatOption));
    if (!format) {
        c.err << "meshwright: export needs --format edgeos, vyos or k8s";
        if (parser.isSet(formatOption))
            c.err << " (not '" << parser.value(formatOption) << "')";
        c.err << "\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    const QString outDir = parser.value(outOption);
    if (outDir.isEmpty()) {
        c.err << "meshwright: export needs --out DIR\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    const QString projectPath = parser.positionalArguments().front();
    int exitCode = CommandLine::Success;
    auto opened = loadValidProjectWithKeys(parser, projectPath, c, "no files written", &exitCode);
    if (!opened)
        return exitCode;
    const LoadedProject *loaded = &opened->loaded;
    KeyStore &keys = opened->keys;
    const QString &keysPath = opened->keysPath;
    QString error;
    const qsizetype keysBefore = keys.keyCount() + keys.presharedKeyCount();
    const QList<Generator::File> files = Exporter::files(loaded->project, keys, *format, &error);
    if (files.isEmpty()) {
        c.err << "error: " << projectPath << ": " << error << Qt::endl;
        return CommandLine::ProjectErrors;
    }
    // Keys made now must be the ones the other hosts get later: keep them first.
    if (keys.isModified() && !keys.save(keysPath, &error)) {
        c.err << "error: " << error << "; no files written" << Qt::endl;
        return CommandLine::BadInput;
    }
    if (const qsizetype created = keys.keyCount() + keys.presharedKeyCount() - keysBefore; created > 0)
        c.out << "created " << created << " keys in " << QDir::toNativeSeparators(keysPath) << '\n';
    if (!QDir().mkpath(outDir)) {
        c.err << "error: " << QDir::toNativeSeparators(outDir) << ": cannot create the folder" << Qt::endl;
        return CommandLine::BadInput;
    }
    const QDir out(outDir);
    for (const Generator::File &file : files) {
        // The files hold private keys: readable by the user alone.
        if (!AtomicFile::write(out.filePath(file.relativePath), file.content, 0600, &error)) {
            c.err << "error: " << error << Qt::endl;
            return CommandLine::BadInput;
        }
    }
    c.out << "wrote " << files.size() << " files to " << QDir::toNativeSeparators(outDir) << Qt::endl;
    return CommandLine::Success;
}

} // namespace

namespace CommandLine {

bool isCommand(const QString &word)
{
    return word == QLatin1String("generate") || word == QLatin1String("validate") || word == QLatin1String("keys")
        || word == QLatin1String("qr") || word == QLatin1String("export") || word == QLatin1String("deploy")
        || word == QLatin1String("status") || word == QLatin1String("decommission") || word == QLatin1String("help");
}

int run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    Context c{out, err};
    const QString command = arguments.value(0);
    if (command.isEmpty() || command == QLatin1String("--help") || command == QLatin1String("-h")
        || command == QLatin1String("help")) {
        out << Overview << Qt::flush;
        return Success;
    }
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        out << "meshwright " << QCoreApplication::applicationVersion() << Qt::endl;
        return Success;
    }
    const QStringList rest = arguments.mid(1);
    if (command == QLatin1String("generate"))
        return generate(rest, c);
    if (command == QLatin1String("validate"))
        return validate(rest, c);
    if (command == QLatin1String("keys"))
        return keys(rest, c);
    if (command == QLatin1String("qr"))
        return qr(rest, c);
    if (command == QLatin1String("deploy"))
        return deploy(rest, c);
    if (command == QLatin1String("decommission"))
        return decommission(rest, c);
    if (command == QLatin1String("export"))
        return exportCommand(rest, c);
    if (command == QLatin1String("status"))
        return status(rest, c);
    err << "meshwright: unknown command '" << command << "'\n\n" << Overview << Qt::flush;
    return BadInput;
}

} // namespace CommandLine
