// The round marks on hosts and links: findings, reachability, link states.
#include "badge.h"

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
