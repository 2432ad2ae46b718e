// What every command of the command line shares: its streams, loading, option parsing.
#include "commandcontext.h"

#include "commandline.h"
#include "keystore.h"
#include "projectfile.h"
#include "validator.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

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
    for (const FindingGroup &group : groupFindings(findings))
        stream << group.toString() << '\n';
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
    if (keys->load(path, &error, passphraseSource(c)))
        return true;
    c.err << "error: " << error;
    if (keys->loadFailure() == KeyStore::LoadFailure::Locked)
        c.err << " (give it with --passphrase-file FILE or MESHWRIGHT_PASSPHRASE_FILE=FILE, a file holding the passphrase "
                 "on its first line, or run the command on a terminal to be asked)";
    c.err << Qt::endl;
    return false;
}

std::optional<QByteArray> readPassphraseFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QByteArray line = file.readLine(4096);
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty()) {
        *error = QStringLiteral("%1: no passphrase on its first line").arg(path);
        return std::nullopt;
    }
    return line;
}

std::optional<QByteArray> askPassphrase(const QString &prompt, bool confirm, QString *error)
{
    const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0) {
        *error = QStringLiteral("no terminal to ask for the passphrase on");
        return std::nullopt;
    }
    auto ask = [tty](const QByteArray &text) -> std::optional<QByteArray> {
        termios before{};
        const bool terminal = ::tcgetattr(tty, &before) == 0;
        if (terminal) {
            termios quiet = before;
            quiet.c_lflag &= ~tcflag_t(ECHO);
            ::tcsetattr(tty, TCSAFLUSH, &quiet);
        }
        (void)!::write(tty, text.constData(), size_t(text.size()));
        QByteArray line;
        char c = 0;
        while (line.size() < 4096 && ::read(tty, &c, 1) == 1 && c != '\n')
            line.append(c);
        if (terminal)
            ::tcsetattr(tty, TCSAFLUSH, &before);
        (void)!::write(tty, "\n", 1);
        if (line.endsWith('\r'))
            line.chop(1);
        return line;
    };
    std::optional<QByteArray> first = ask(prompt.toUtf8() + ": ");
    std::optional<QByteArray> again = confirm && first && !first->isEmpty() ? ask("Again, to be sure: ") : first;
    ::close(tty);
    if (!first || first->isEmpty()) {
        *error = QStringLiteral("no passphrase given");
        return std::nullopt;
    }
    if (*first != *again) {
        *error = QStringLiteral("the two passphrases differ");
        return std::nullopt;
    }
    return first;
}

KeyStore::PassphraseSource passphraseSource(Context &c)
{
    auto asked = std::make_shared<int>(0); // three tries on a terminal
    return [&c, asked](const QString &path, const QString &problem) -> std::optional<QByteArray> {
        const QString file = !c.passphraseFile.isEmpty() ? c.passphraseFile : qEnvironmentVariable("MESHWRIGHT_PASSPHRASE_FILE");
        QString error;
        if (!file.isEmpty()) {
            if (!problem.isEmpty())
                return std::nullopt; // the file's passphrase does not open it: say so once
            auto secret = readPassphraseFile(file, &error);
            if (!secret)
                c.err << "error: " << error << Qt::endl;
            return secret;
        }
        if (++*asked > 3)
            return std::nullopt;
        if (!problem.isEmpty())
            c.err << "error: " << problem << Qt::endl;
        return askPassphrase(QStringLiteral("Passphrase of %1").arg(QDir::toNativeSeparators(path)), false, &error);
    };
}

int parseCommand(QCommandLineParser &parser, const QStringList &arguments, const QString &usage,
                 qsizetype positionals, Context &c)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOption(help);
    const QCommandLineOption passphrase(QStringLiteral("passphrase-file"),
                                        QStringLiteral("Read the passphrase of an encrypted key store from FILE (its first line)."),
                                        QStringLiteral("FILE"));
    parser.addOption(passphrase);
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
    c.passphraseFile = parser.value(passphrase);
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
