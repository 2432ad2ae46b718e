// `meshwright import`: an existing WireGuard estate, from its wg-quick configs, as a project.
#include "commandcontext.h"
#include "commandline.h"

#include "configimport.h"
#include "keystore.h"
#include "sshimport.h"
#include "projectfile.h"
#include "validator.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace CommandLine {

int importCommand(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Imports existing WireGuard configs as one project. A SOURCE is a wg-quick config (NAME.conf is host "
        "NAME's wg0), an OpenBSD hostname.wgN, a zip as the WireGuard apps export their tunnels, or a folder of "
        "them: NAME.conf files, HOST/wgN.conf, or wireguardmeshgenerator's dist/HOST/etc/wireguard/wg0.conf "
        "tree; a host with wg0, wg1, ... of one peer each is a router. A [Peer] whose key is another imported host's becomes a "
        "link; roles, exclude_peers and per-link overrides are inferred so that the project gives the same "
        "configs. Every host is then planned again and compared with its file: whatever differs (a PostUp "
        "line, an unknown peer, ...) is listed with its file and line, and nothing is written unless "
        "--lossy accepts those losses. The private and preshared keys go to the project's key store (mode "
        "0600); no key is printed. With --ssh the configs are read from running hosts (/etc/wireguard and "
        "/usr/local/etc/wireguard and /etc/hostname.wg*, through --sudo), with deploy's host-key checks, and the SSH settings used "
        "are recorded in the project so that a deploy reaches the same hosts."));
    parser.addPositionalArgument(QStringLiteral("SOURCE"), QStringLiteral("Configs to import: files or folders."), QStringLiteral("SOURCE..."));
    const QCommandLineOption outOption({QStringLiteral("o"), QStringLiteral("out")}, QStringLiteral("The project file to write (must not exist)."),
                                       QStringLiteral("PROJECT.yaml"));
    const QCommandLineOption lossyOption(QStringLiteral("lossy"), QStringLiteral("Write the project even where it changes what a config says."));
    const QCommandLineOption nameOption(QStringLiteral("name"), QStringLiteral("Name the host found as FOUND NAME instead (repeatable)."),
                                        QStringLiteral("FOUND=NAME"));
    const QCommandLineOption sshOption(QStringLiteral("ssh"), QStringLiteral("Read a running host's configs over SSH (repeatable)."),
                                       QStringLiteral("[NAME=][USER@]HOST[:PORT]"));
    const QCommandLineOption identityOption(QStringLiteral("identity"), QStringLiteral("The SSH key to log in with (else ssh-agent, ~/.ssh)."),
                                            QStringLiteral("FILE"));
    const QCommandLineOption sudoOption(QStringLiteral("sudo"), QStringLiteral("Read the configs through this (sudo, doas); none: as the user."),
                                        QStringLiteral("CMD"));
    const QCommandLineOption knownHostsOption(QStringLiteral("known-hosts"), QStringLiteral("The known_hosts file (default ~/.ssh/known_hosts)."),
                                              QStringLiteral("FILE"));
    const QCommandLineOption acceptOption(QStringLiteral("accept-new-host-keys"),
                                          QStringLiteral("Record the keys of hosts not in known_hosts yet (changed keys are always refused)."));
    parser.addOptions({outOption, lossyOption, nameOption, sshOption, identityOption, sudoOption, knownHostsOption, acceptOption});
    const QString usage = QStringLiteral("meshwright import --out PROJECT.yaml [--lossy] [--name FOUND=NAME]... "
                                         "(SOURCE... | --ssh [NAME=][USER@]HOST[:PORT]... [--identity FILE] [--sudo CMD] [--known-hosts FILE] "
                                         "[--accept-new-host-keys])");
    if (const int rc = parseCommand(parser, arguments, usage, -1, c); rc >= 0)
        return rc;
    const QString out = parser.value(outOption);
    if (out.isEmpty() || (parser.positionalArguments().isEmpty() && !parser.isSet(sshOption))) {
        c.err << "meshwright: import needs --out PROJECT.yaml and at least one SOURCE or --ssh HOST\nUsage: " << usage << Qt::endl;
        return BadInput;
    }
    const QString keysPath = KeyStore::pathForProject(out);
    for (const QString &path : {out, keysPath}) {
        if (QFileInfo::exists(path)) {
            c.err << "error: " << QDir::toNativeSeparators(path) << " exists; import into a new project (nothing written)" << Qt::endl;
            return BadInput;
        }
    }
    QHash<QString, QString> rename;
    for (const QString &value : parser.values(nameOption)) {
        const qsizetype equals = value.indexOf(QLatin1Char('='));
        if (equals <= 0 || equals == value.size() - 1) {
            c.err << "meshwright: --name takes FOUND=NAME, not '" << value << "'" << Qt::endl;
            return BadInput;
        }
        rename.insert(value.left(equals), value.mid(equals + 1));
    }

    QStringList notes;
    QString error;
    QList<ConfigImport::Source> sources;
    if (!parser.positionalArguments().isEmpty()) {
        const auto found = ConfigImport::collect(parser.positionalArguments(), rename, &notes, &error);
        if (!found) {
            c.err << "error: " << error << " (nothing written)" << Qt::endl;
            return BadInput;
        }
        sources = *found;
    }
    // Over SSH: each host's configs, and the settings that reach it again.
    QList<ConfigImport::RemoteHost> remotes;
    const DeployOptions options = [&] {
        DeployOptions o = DeployOptions::fromUser(parser.value(knownHostsOption), DeployOptions().confirmTimeout, 1);
        o.acceptNewHostKeys = parser.isSet(acceptOption);
        return o;
    }();
    const QString identity = parser.value(identityOption);
    SshConfigReader reader;
    for (const QString &spec : parser.values(sshOption)) {
        auto target = ConfigImport::parseSshTarget(spec, &error);
        if (!target) {
            c.err << "meshwright: " << error << Qt::endl;
            return BadInput;
        }
        target->identity = identity.startsWith(QLatin1String("~/")) ? QDir::home().filePath(identity.mid(2)) : identity;
        target->sudoCmd = parser.value(sudoOption).trimmed();
        c.err << "reading " << target->address << " over SSH" << Qt::endl;
        auto read = reader.read(*target, identity, options, &notes, &error, nullptr);
        if (!read) {
            c.err << "error: " << error << " (nothing written)" << Qt::endl;
            return BadInput;
        }
        read->host = rename.value(read->host, read->host);
        for (ConfigImport::Source &source : read->sources) {
            source.host = read->host;
            sources.append(source);
        }
        remotes.append(*read);
    }
    auto imported = ConfigImport::build(sources, &error);
    if (!imported) {
        c.err << "error: " << error << " (nothing written)" << Qt::endl;
        return BadInput;
    }
    for (const QString &note : std::as_const(notes) + imported->notes)
        c.err << "note: " << note << '\n';
    for (const ConfigImport::Loss &finding : std::as_const(imported->findings))
        c.err << "warning: " << finding.toString() << '\n';
    for (const ConfigImport::Loss &loss : std::as_const(imported->losses))
        c.err << (parser.isSet(lossyOption) ? "lost: " : "error: ") << loss.toString() << '\n';
    if (!imported->losses.isEmpty() && !parser.isSet(lossyOption)) {
        c.err << "meshwright: " << imported->losses.size()
              << " thing(s) the project cannot say as the configs do; nothing written (--lossy writes it anyway)" << Qt::endl;
        return BadInput;
    }
    ConfigImport::recordSsh(*imported, remotes);
    // The keys first: a project without them would get new keys when it is next opened.
    if (!imported->keys.save(keysPath, &error)) {
        c.err << "error: " << error << " (nothing written)" << Qt::endl;
        return BadInput;
    }
    if (!ProjectFile::save(out, imported->project, &error)) {
        QFile::remove(keysPath);
        c.err << "error: " << error << " (nothing written)" << Qt::endl;
        return BadInput;
    }
    const QList<Diagnostic> findings = Validator::validate(imported->project);
    printFindings(findings, c.err);
    c.out << "imported " << imported->project.hosts.size() << " hosts and " << imported->project.links.size()
          << " link overrides into " << QDir::toNativeSeparators(out) << " (keys in " << QDir::toNativeSeparators(keysPath) << ")"
          << Qt::endl;
    return Success;
}

} // namespace CommandLine
