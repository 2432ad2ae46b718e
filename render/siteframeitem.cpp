// A NATed site on the canvas: a labelled frame around the LAN hosts behind one NAT.
#include "siteframeitem.h"

#include "badge.h"

#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace {

constexpr qreal LabelHeight = 16;

} // namespace

SiteFrameItem::SiteFrameItem(const QString &site, const QString &label)
    : m_site(site)
    , m_label(label)
{
    setZValue(-1); // behind the links and hosts
    setAcceptedMouseButtons(Qt::NoButton);
}

void SiteFrameItem::setLabel(const QString &label)
{
    if (label == m_label)
        return;
    m_label = label;
    update();
}

void SiteFrameItem::setFrame(const QRectF &frame)
{
    if (frame == m_frame)
        return;
    prepareGeometryChange();
    m_frame = frame;
}

QRectF SiteFrameItem::boundingRect() const
{
    return m_frame.adjusted(-2, -LabelHeight / 2 - 2, 2, 2);
}

void SiteFrameItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const QPalette palette = scene()->palette();
    QColor fill = palette.color(QPalette::AlternateBase);
    const QColor edge = palette.color(QPalette::Mid);
    painter->setPen(QPen(edge, 1.2, Qt::SolidLine));
    painter->setBrush(fill);
    painter->drawRoundedRect(m_frame, 10, 10);
    if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.3)
        return;
    // The label sits on the top edge, left: "home", "office", "LAN".
    QFont font = painter->font();
    font.setPointSizeF(7.5);
    const qreal width = QFontMetricsF(font).horizontalAdvance(m_label) + 8;
    drawLabel(painter, QPointF(m_frame.left() + 14 + width / 2, m_frame.top()), edge, m_label, palette);
}
