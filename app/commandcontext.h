// What every command of the command line shares: its streams, loading, option parsing.
#pragma once

#include "diagnostic.h"
#include "keystore.h"
#include "project.h"

#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QTextStream>

#include <optional>

class QCommandLineParser;

namespace CommandLine {

/// Where a command writes: results to \a out, diagnostics and progress to \a err.
struct Context
{
    QTextStream &out;
    QTextStream &err;
    QString passphraseFile = {}; ///< --passphrase-file, which every command takes
};

/// How a command opens an encrypted key store: the passphrase from --passphrase-file FILE,
/// else from the file MESHWRIGHT_PASSPHRASE_FILE names, else asked on the terminal (up to
/// three times). Never from an argument or an environment value holding the secret.
KeyStore::PassphraseSource passphraseSource(Context &c);
/// The passphrase in \a path: its first line, without the line end. Nullopt with \a error
/// when it cannot be read or is empty.
std::optional<QByteArray> readPassphraseFile(const QString &path, QString *error);
/// Asks for a passphrase on the terminal, without echo: \a prompt, twice when \a confirm.
/// Nullopt when there is no terminal, the answers differ, or the answer is empty.
std::optional<QByteArray> askPassphrase(const QString &prompt, bool confirm, QString *error);

/// A project loaded for a command, with its findings.
struct LoadedProject
{
    Project project;
    QString path;
    QList<Diagnostic> findings; ///< loader warnings and validation results
};

/// Loads and validates \a path; a file that cannot be read is reported on c.err.
std::optional<LoadedProject> loadProject(const QString &path, Context &c);
void printFindings(const QList<Diagnostic> &findings, QTextStream &stream);
/// Loads a project for a command that writes something: findings go to stderr, and a
/// project with errors is refused ("...; \a nothingDone"). Sets \a exitCode on failure.
std::optional<LoadedProject> loadValidProject(const QString &path, Context &c, const char *nothingDone, int *exitCode);

/// A valid project with its key store, as every command that needs keys loads them.
struct ProjectWithKeys
{
    LoadedProject loaded;
    KeyStore keys;
    QString keysPath; ///< --keys, else PROJECT.keys
};
/// loadValidProject(), then the key store (keyStorePath()); sets \a exitCode on failure.
std::optional<ProjectWithKeys> loadValidProjectWithKeys(const QCommandLineParser &parser, const QString &path, Context &c,
                                                        const char *nothingDone, int *exitCode);

/// The --keys option every command that needs keys has.
extern const QCommandLineOption KeysOption;
/// --keys, else PROJECT.keys beside the project.
QString keyStorePath(const QCommandLineParser &parser, const QString &projectPath);
/// Loads the key store at \a path (a missing file is an empty store; an encrypted one asks
/// passphraseSource()); says why not, and how to give a passphrase when none was.
bool loadKeys(const QString &path, KeyStore *keys, Context &c);

/// Parses \a arguments for one command; prints the command's help or a usage error.
/// Returns -1 to go on, else the exit code. \a positionals -1: the command counts them.
int parseCommand(QCommandLineParser &parser, const QStringList &arguments, const QString &usage, qsizetype positionals,
                 Context &c);

// The commands, one file each (NAMEcommand.cpp).
int generate(const QStringList &arguments, Context &c);
int validate(const QStringList &arguments, Context &c);
int qr(const QStringList &arguments, Context &c);
int status(const QStringList &arguments, Context &c);
int keys(const QStringList &arguments, Context &c);
int exportCommand(const QStringList &arguments, Context &c);
int importCommand(const QStringList &arguments, Context &c);
int deploy(const QStringList &arguments, Context &c);
int decommission(const QStringList &arguments, Context &c);

} // namespace CommandLine
