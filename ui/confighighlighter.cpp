// Syntax colours for wg-quick configs and OpenBSD's hostname.if: sections, keys, values, comments.
#include "confighighlighter.h"

#include <QGuiApplication>
#include <QPalette>
#include <QRegularExpression>

namespace {

/// A colour readable on both light and dark palettes: lighter on dark backgrounds.
QColor readable(const QColor &onLight)
{
    const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
    return dark ? onLight.lighter(170) : onLight;
}

} // namespace

ConfigHighlighter::ConfigHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
}

void ConfigHighlighter::highlightBlock(const QString &text)
{
    static const QRegularExpression section(QStringLiteral("^\\s*\\[[A-Za-z]+\\]\\s*$"));
    static const QRegularExpression keyValue(QStringLiteral("^(\\s*)([A-Za-z]+)(\\s*=\\s*)(.*)$"));
    static const QRegularExpression ifconfigWord(QStringLiteral("\\b(inet6?|wgkey|wgport|wgpeer|wgpsk|wgaip|wgendpoint|wgpka|mtu|up)\\b"));
    QTextCharFormat comment;
    comment.setForeground(readable(QColor(110, 110, 110)));
    comment.setFontItalic(true);
    QTextCharFormat sectionFormat;
    sectionFormat.setForeground(readable(QColor(150, 60, 160)));
    sectionFormat.setFontWeight(QFont::Bold);
    QTextCharFormat key;
    key.setForeground(readable(QColor(30, 100, 200)));
    QTextCharFormat value;
    value.setForeground(readable(QColor(30, 130, 70)));

    const qsizetype hash = text.indexOf(QLatin1Char('#'));
    const QString code = hash >= 0 ? text.left(hash) : text;
    if (hash >= 0)
        setFormat(int(hash), int(text.size() - hash), comment);
    if (section.match(code).hasMatch()) {
        setFormat(0, int(code.size()), sectionFormat);
        return;
    }
    if (const auto match = keyValue.match(code); match.hasMatch()) {
        setFormat(int(match.capturedStart(2)), int(match.capturedLength(2)), key);
        setFormat(int(match.capturedStart(4)), int(match.capturedLength(4)), value);
        return;
    }
    for (auto it = ifconfigWord.globalMatch(code); it.hasNext();) {
        const auto match = it.next();
        setFormat(int(match.capturedStart()), int(match.capturedLength()), key);
    }
}
