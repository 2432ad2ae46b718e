// The round marks on hosts and links: findings, reachability, link states.
#include "badge.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPalette>

void drawBadge(QPainter *painter, const QPointF &centre, qreal radius, const QColor &colour, const QString &text,
               const QPalette &palette)
{
    painter->setPen(QPen(palette.color(QPalette::Base), 1.5));
    painter->setBrush(colour);
    painter->drawEllipse(centre, radius, radius);
    QFont font = painter->font();
    font.setBold(true);
    font.setPointSizeF(radius);
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius), Qt::AlignCenter, text);
}

void drawLabel(QPainter *painter, const QPointF &centre, const QColor &colour, const QString &text, const QPalette &palette)
{
    QFont font = painter->font();
    font.setPointSizeF(7.5);
    painter->setFont(font);
    const QFontMetricsF metrics(font);
    const QSizeF size(metrics.horizontalAdvance(text) + 8, metrics.height() + 2);
    const QRectF box(centre.x() - size.width() / 2, centre.y() - size.height() / 2, size.width(), size.height());
    painter->setPen(QPen(colour, 1));
    painter->setBrush(palette.color(QPalette::Base));
    painter->drawRoundedRect(box, 4, 4);
    painter->setPen(palette.color(QPalette::Text));
    painter->drawText(box, Qt::AlignCenter, text);
}
