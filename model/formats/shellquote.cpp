// Quoting for POSIX shells.
#include "shellquote.h"

#include <QRegularExpression>

namespace ShellQuote {

QString quoted(const QString &value)
{
    return QLatin1Char('\'') + QString(value).replace(QLatin1String("'"), QLatin1String("'\\''")) + QLatin1Char('\'');
}

QByteArray bytes(const QByteArray &value)
{
    return '\'' + QByteArray(value).replace("'", "'\\''") + '\'';
}

QString plainOrQuoted(const QString &value)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:+=@,%-]+$"));
    return plain.match(value).hasMatch() ? value : quoted(value);
}

} // namespace ShellQuote
