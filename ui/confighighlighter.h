// Syntax colours for wg-quick configs and OpenBSD's hostname.if: sections, keys, values, comments.
#pragma once

#include <QSyntaxHighlighter>

class ConfigHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    explicit ConfigHighlighter(QTextDocument *document);

protected:
    void highlightBlock(const QString &text) override;
};
