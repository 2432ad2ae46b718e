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
/// \a text in a small rounded box of the palette's base colour, edged in \a colour,
/// centred on \a centre: a label on a line ("via gw1") or a frame.
void drawLabel(QPainter *painter, const QPointF &centre, const QColor &colour, const QString &text, const QPalette &palette);
