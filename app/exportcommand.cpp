// `meshwright export`: one output target's files for every host it serves.
#include "commandcontext.h"
#include "commandline.h"

#include "configfiles.h"
#include "outputtarget.h"
#include "keystore.h"

#include <QCommandLineParser>
#include <QDir>

namespace CommandLine {

int exportCommand(const QStringList &arguments, Context &c)
{
    QCommandLineParser parser;
    QString targets;
    for (const OutputTarget *target : OutputTargets::all())
        targets += QStringLiteral("\n  %1: %2.").arg(target->name(), target->summary());
    parser.setApplicationDescription(
        QStringLiteral("Writes one output target's files for every host it serves, below DIR. Files are written with mode 0600 "
                       "(they hold private keys); keys are made on first use and kept in the key store. Nothing is written "
                       "when the project has errors. The targets:")
        + targets);
    parser.addPositionalArgument(QStringLiteral("PROJECT.yaml"), QStringLiteral("The project file."));
    const QString names = OutputTargets::names().join(QLatin1Char('|'));
    const QCommandLineOption formatOption({QStringLiteral("f"), QStringLiteral("format")},
                                          QStringLiteral("The target: %1.").arg(OutputTargets::names().join(QLatin1String(", "))),
                                          QStringLiteral("FORMAT"));
    const QCommandLineOption outOption({QStringLiteral("o"), QStringLiteral("out")},
                                       QStringLiteral("The output folder."), QStringLiteral("DIR"));
    parser.addOptions({formatOption, outOption, KeysOption});
    const QString usage = QStringLiteral("meshwright export PROJECT.yaml --format %1 --out DIR [--keys FILE]").arg(names);
    if (const int rc = parseCommand(parser, arguments, usage, 1, c); rc >= 0)
        return rc;
    const OutputTarget *target = OutputTargets::find(parser.value(formatOption));
    if (!target) {
        c.err << "meshwright: export needs --format " << OutputTargets::names().join(QLatin1String(", "));
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
    auto &[loaded, keys, keysPath] = *opened;
    QString error;
    const qsizetype keysBefore = keys.keyCount() + keys.presharedKeyCount();
    const QList<ConfigFiles::File> files = target->exportFiles(loaded.project, keys, &error);
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
    // The files hold private keys: readable by the user alone.
    if (!ConfigFiles::write(outDir, files, &error)) {
        c.err << "error: " << error << Qt::endl;
        return CommandLine::BadInput;
    }
    c.out << "wrote " << files.size() << " files to " << QDir::toNativeSeparators(outDir) << Qt::endl;
    return CommandLine::Success;
}

} // namespace CommandLine
