// `meshwright validate`: the findings of a project.
#include "commandcontext.h"
#include "commandline.h"

#include "keyseal.h"
#include "validator.h"

#include <QCommandLineParser>
#include <QFile>

namespace CommandLine {

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
    // The key store's state from its header alone: validate never needs the passphrase.
    const QString keysPath = KeyStore::pathForProject(projectPath);
    QFile store(keysPath);
    const bool sealed = store.open(QIODevice::ReadOnly) && KeySeal::isSealed(store.read(16));
    if (const auto finding = Validator::keyStoreFinding(keysPath, sealed, QStringLiteral("meshwright keys encrypt ") + projectPath))
        loaded->findings.append(*finding);
    printFindings(loaded->findings, c.out);
    const auto errors = std::count_if(loaded->findings.cbegin(), loaded->findings.cend(),
                                      [](const Diagnostic &d) { return d.isError(); });
    const auto notes = std::count_if(loaded->findings.cbegin(), loaded->findings.cend(),
                                     [](const Diagnostic &d) { return d.isNote(); });
    c.out << projectPath << ": " << loaded->project.hosts.size() << " hosts, " << errors << " errors, "
          << loaded->findings.size() - errors - notes << " warnings";
    if (notes > 0)
        c.out << ", " << notes << (notes == 1 ? " note" : " notes");
    c.out << Qt::endl;
    return errors > 0 ? CommandLine::ProjectErrors : CommandLine::Success;
}

} // namespace CommandLine
