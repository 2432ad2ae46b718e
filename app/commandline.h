// The `meshwright` command line: generate, validate, qr, deploy, status, export, keys.
#pragma once

#include <QStringList>

class QTextStream;

namespace CommandLine {

/// Exit codes: 0 success, 1 the project has errors (validation), 2 bad input or usage.
enum ExitCode { Success = 0, ProjectErrors = 1, BadInput = 2 };

/// True when \a word names a command (generate, validate, qr, deploy, status, export, keys,
/// help), not a project file.
bool isCommand(const QString &word);

/// Runs the command in \a arguments (argv without the program name); results go to
/// \a out, diagnostics to \a err. Returns the exit code.
int run(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace CommandLine
