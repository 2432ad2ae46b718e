// `meshwright import`: an existing WireGuard estate, from its wg-quick configs, as a project.
#include "commandcontext.h"
#include "commandline.h"

#include "configimport.h"
#include "keystore.h"
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
        "NAME's wg0) or a folder of them: NAME.conf files, HOST/wg0.conf, or wireguardmeshgenerator's "
        "dist/HOST/etc/wireguard/wg0.conf tree. A [Peer] whose key is another imported host's becomes a "
        "link; roles, exclude_peers and per-link overrides are inferred so that the project gives the same "
        "configs. Every host is then planned again and compared with its file: whatever differs (a PostUp "
        "line, an unknown peer, ...) is listed with its file and line, and nothing is written unless "
        "--lossy accepts those losses. The private and preshared keys go to the project's key store (mode "
        "0600); no key is printed."));
    parser.addPositionalArgument(QStringLiteral("SOURCE"), QStringLiteral("Configs to import: files or folders."), QStringLiteral("SOURCE..."));
    const QCommandLineOption outOption({QStringLiteral("o"), QStringLiteral("out")}, QStringLiteral("The project file to write (must not exist)."),
                                       QStringLiteral("PROJECT.yaml"));
    const QCommandLineOption lossyOption(QStringLiteral("lossy"), QStringLiteral("Write the project even where it changes what a config says."));
    const QCommandLineOption nameOption(QStringLiteral("name"), QStringLiteral("Name the host found as FOUND NAME instead (repeatable)."),
                                        QStringLiteral("FOUND=NAME"));
    parser.addOptions({outOption, lossyOption, nameOption});
    const QString usage = QStringLiteral("meshwright import --out PROJECT.yaml [--lossy] [--name FOUND=NAME]... SOURCE...");
    if (const int rc = parseCommand(parser, arguments, usage, -1, c); rc >= 0)
        return rc;
    const QString out = parser.value(outOption);
    if (out.isEmpty() || parser.positionalArguments().isEmpty()) {
        c.err << "meshwright: import needs --out PROJECT.yaml and at least one SOURCE\nUsage: " << usage << Qt::endl;
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
    const auto sources = ConfigImport::collect(parser.positionalArguments(), rename, &notes, &error);
    if (!sources) {
        c.err << "error: " << error << " (nothing written)" << Qt::endl;
        return BadInput;
    }
    auto imported = ConfigImport::build(*sources, &error);
    if (!imported) {
        c.err << "error: " << error << " (nothing written)" << Qt::endl;
        return BadInput;
    }
    for (const QString &note : std::as_const(notes) + imported->notes)
        c.err << "note: " << note << '\n';
    for (const ConfigImport::Loss &loss : std::as_const(imported->losses))
        c.err << (parser.isSet(lossyOption) ? "lost: " : "error: ") << loss.toString() << '\n';
    if (!imported->losses.isEmpty() && !parser.isSet(lossyOption)) {
        c.err << "meshwright: " << imported->losses.size()
              << " thing(s) the project cannot say as the configs do; nothing written (--lossy writes it anyway)" << Qt::endl;
        return BadInput;
    }
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
