// The round marks on hosts and links: findings, reachability, link states.
#pragma once

#include <QColor>
#include <QPointF>
#include <QString>

class QPainter;
class QPalette;

/// A filled circle of \a colour around \a centre with \a text in bold white, ringed in
/// the palette's base colour so that it stands out from what it sits on.
void drawBadge(QPainter *painter, const QPointF &centre, qreal radius, const QColor &colour, const QString &text,
               const QPalette &palette);
