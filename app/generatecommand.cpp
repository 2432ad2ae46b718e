// `meshwright generate`: every host's configs into a folder.
#include "commandcontext.h"
#include "commandline.h"

#include "hostconfigs.h"
#include "keystore.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>

namespace CommandLine {

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
    } // else every host but the external ones (HostConfigs::generate)

    QString error;
    const QString outDir = parser.value(outOption);
    HostConfigs::Summary summary;
    if (!HostConfigs::generate(project, keys, keysPath, outDir, selected, &summary, &error)) {
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

} // namespace CommandLine
