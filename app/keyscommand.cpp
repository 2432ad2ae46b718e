// `meshwright keys`: list, import and rotate the key store's keys.
#include "commandcontext.h"
#include "commandline.h"

#include "deployment.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

namespace CommandLine {

int keys(const QStringList &arguments, Context &c)
{
    const QString action = arguments.value(0);
    const QString usage = QStringLiteral("meshwright keys import PROJECT.yaml DIR | "
                                         "keys rotate PROJECT.yaml HOST [--psk [PEER]] | keys list PROJECT.yaml | "
                                         "keys encrypt|decrypt|passwd PROJECT.yaml");
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
    } else if (action == QLatin1String("encrypt") || action == QLatin1String("decrypt") || action == QLatin1String("passwd")) {
        parser.setApplicationDescription(
            action == QLatin1String("encrypt")   ? QStringLiteral("Encrypts the key store with a passphrase (Argon2id, XChaCha20-Poly1305).")
            : action == QLatin1String("decrypt") ? QStringLiteral("Writes the key store back in plain text.")
                                                 : QStringLiteral("Gives the encrypted key store a new passphrase (and a new salt)."));
        parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
        positionals = 1;
    } else {
        c.err << "meshwright: keys needs one of import, rotate, list, encrypt, decrypt, passwd\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    const QCommandLineOption newPassphraseOption(QStringLiteral("new-passphrase-file"),
                                                 QStringLiteral("encrypt, passwd: read the new passphrase from FILE (else asked twice on "
                                                                "the terminal; encrypt also takes --passphrase-file)."),
                                                 QStringLiteral("FILE"));
    const QCommandLineOption costOption(QStringLiteral("cost"),
                                        QStringLiteral("encrypt, passwd: Argon2id's cost, interactive, moderate (the default) or sensitive."),
                                        QStringLiteral("COST"));
    if (action == QLatin1String("encrypt") || action == QLatin1String("passwd"))
        parser.addOptions({newPassphraseOption, costOption});
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
    if (action == QLatin1String("encrypt") && !QFileInfo::exists(keysPath)) {
        c.err << "error: " << QDir::toNativeSeparators(keysPath) << " does not exist yet: generate the project's keys first" << Qt::endl;
        return CommandLine::BadInput;
    }
    if (action == QLatin1String("encrypt")) {
        if (!store.load(keysPath, &error)) { // no passphrase: the one given is the new one
            c.err << "error: " << error
                  << (store.loadFailure() == KeyStore::LoadFailure::Locked ? QStringLiteral(" (it is encrypted already: keys passwd changes its passphrase)")
                                                                           : QString())
                  << Qt::endl;
            return CommandLine::BadInput;
        }
    } else if (!loadKeys(keysPath, &store, c)) {
        return CommandLine::BadInput;
    }
    if (action == QLatin1String("encrypt") || action == QLatin1String("passwd") || action == QLatin1String("decrypt")) {
        if (action == QLatin1String("decrypt")) {
            if (!store.isEncrypted()) {
                c.err << "error: " << QDir::toNativeSeparators(keysPath) << " is not encrypted; nothing changed" << Qt::endl;
                return CommandLine::BadInput;
            }
            store.decrypt();
        } else {
            const QString cost = parser.value(costOption);
            const std::optional<KeySeal::Parameters> parameters = cost.isEmpty() ? std::optional(KeySeal::Parameters::standard())
                : cost == QLatin1String("interactive") ? std::optional(KeySeal::Parameters::interactive())
                : cost == QLatin1String("moderate")  ? std::optional(KeySeal::Parameters::moderate())
                : cost == QLatin1String("sensitive") ? std::optional(KeySeal::Parameters::sensitive())
                : cost == QLatin1String("weakest")   ? std::optional(KeySeal::Parameters::weakest()) // tests only
                                                     : std::nullopt;
            if (!parameters) {
                c.err << "meshwright: --cost takes interactive, moderate or sensitive, not '" << cost << "'" << Qt::endl;
                return CommandLine::BadInput;
            }
            const QString file = parser.value(newPassphraseOption).isEmpty() && action == QLatin1String("encrypt")
                ? c.passphraseFile
                : parser.value(newPassphraseOption);
            const auto passphrase = file.isEmpty() ? askPassphrase(QStringLiteral("New passphrase of %1").arg(QDir::toNativeSeparators(keysPath)),
                                                                   true, &error)
                                                   : readPassphraseFile(file, &error);
            if (!passphrase) {
                c.err << "error: " << error << " (give the new passphrase with --new-passphrase-file FILE, or run on a terminal); "
                      << "nothing changed" << Qt::endl;
                return CommandLine::BadInput;
            }
            if (!store.encrypt(*passphrase, *parameters, &error)) {
                c.err << "error: " << error << "; nothing changed" << Qt::endl;
                return CommandLine::BadInput;
            }
        }
        if (!store.save(keysPath, &error)) {
            c.err << "error: " << error << Qt::endl;
            return CommandLine::BadInput;
        }
        c.out << (action == QLatin1String("decrypt") ? "decrypted " : action == QLatin1String("encrypt") ? "encrypted " : "new passphrase for ")
              << QDir::toNativeSeparators(keysPath) << Qt::endl;
        return CommandLine::Success;
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
        if (host->isExternal() && !parser.isSet(pskOption)) {
            c.err << "error: " << host->name << " is external: its owner makes its keys; nothing rotated" << Qt::endl;
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

} // namespace CommandLine
