// Quoting for POSIX shells (sh, bash, vbash): the remote commands of deploy and status,
// and the router scripts of export. One implementation, so a value can never escape its
// word in one place and not in another.
#pragma once

#include <QByteArray>
#include <QString>

namespace ShellQuote {

/// \a value in single quotes, always: one word whatever it holds ('\'' for a quote).
QString quoted(const QString &value);
/// The same, as UTF-8, to append to a command line.
inline QByteArray word(const QString &value) { return quoted(value).toUtf8(); }
/// \a value in single quotes, byte for byte: a file's text, which need not be UTF-8.
QByteArray bytes(const QByteArray &value);
/// \a value as it is when it holds nothing a shell would act on, else quoted().
QString plainOrQuoted(const QString &value);

} // namespace ShellQuote
