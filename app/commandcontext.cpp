// What every command of the command line shares: its streams, loading, option parsing.
#include "commandcontext.h"

#include "commandline.h"
#include "keystore.h"
#include "projectfile.h"
#include "validator.h"

#include <QCommandLineParser>
#include <QRegularExpression>

namespace CommandLine {

std::optional<LoadedProject> loadProject(const QString &path, Context &c)
{
    ProjectFile::LoadError error;
    QList<Diagnostic> warnings;
    auto project = ProjectFile::load(path, &error, &warnings);
    if (!project) {
        c.err << "error: " << error.toString() << Qt::endl;
        return std::nullopt;
    }
    LoadedProject loaded{*project, path, warnings};
    loaded.findings += Validator::validate(loaded.project);
    return loaded;
}

void printFindings(const QList<Diagnostic> &findings, QTextStream &stream)
{
    for (const Diagnostic &finding : findings)
        stream << finding.toString() << '\n';
    stream.flush();
}

std::optional<LoadedProject> loadValidProject(const QString &path, Context &c, const char *nothingDone, int *exitCode)
{
    auto loaded = loadProject(path, c);
    if (!loaded) {
        *exitCode = CommandLine::BadInput;
        return std::nullopt;
    }
    printFindings(loaded->findings, c.err);
    if (hasErrors(loaded->findings)) {
        c.err << "error: " << path << ": the project has errors; " << nothingDone << Qt::endl;
        *exitCode = CommandLine::ProjectErrors;
        return std::nullopt;
    }
    return loaded;
}

std::optional<ProjectWithKeys> loadValidProjectWithKeys(const QCommandLineParser &parser, const QString &path, Context &c,
                                                        const char *nothingDone, int *exitCode)
{
    auto loaded = loadValidProject(path, c, nothingDone, exitCode);
    if (!loaded)
        return std::nullopt;
    ProjectWithKeys result{std::move(*loaded), KeyStore(), keyStorePath(parser, path)};
    if (!loadKeys(result.keysPath, &result.keys, c)) {
        *exitCode = BadInput;
        return std::nullopt;
    }
    return result;
}

QString keyStorePath(const QCommandLineParser &parser, const QString &projectPath)
{
    const QString given = parser.value(QStringLiteral("keys"));
    return given.isEmpty() ? KeyStore::pathForProject(projectPath) : given;
}

bool loadKeys(const QString &path, KeyStore *keys, Context &c)
{
    QString error;
    if (keys->load(path, &error))
        return true;
    c.err << "error: " << error << Qt::endl;
    return false;
}

int parseCommand(QCommandLineParser &parser, const QStringList &arguments, const QString &usage,
                 qsizetype positionals, Context &c)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOption(help);
    if (!parser.parse(QStringList{QStringLiteral("meshwright")} + arguments)) {
        c.err << "meshwright: " << parser.errorText() << "\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    if (parser.isSet(help)) {
        QString text = parser.helpText();
        text.replace(QRegularExpression(QStringLiteral("^Usage: [^\n]*")), QStringLiteral("Usage: ") + usage);
        c.out << text << Qt::flush;
        return CommandLine::Success;
    }
    if (positionals >= 0 && parser.positionalArguments().size() != positionals) {
        c.err << "meshwright: wrong number of arguments\nUsage: " << usage << Qt::endl;
        return CommandLine::BadInput;
    }
    return -1;
}

const QCommandLineOption KeysOption(QStringLiteral("keys"),
                                    QStringLiteral("The key store (default: PROJECT.keys beside the project)."),
                                    QStringLiteral("FILE"));

} // namespace CommandLine
