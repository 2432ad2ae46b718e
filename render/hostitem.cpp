// A host on the canvas: a node with icon, name and mesh address, and a handle to connect.
#include "hostitem.h"

#include "badge.h"
#include "statecolors.h"

#include "autolayout.h"
#include "hostpresets.h"
#include "topologyscene.h"

#include <QCoreApplication>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>
#include <QSvgRenderer>

namespace {

constexpr qreal BadgeRadius = 9;

} // namespace

HostItem::HostItem(HostId id, TopologyScene *scene)
    : m_id(id)
    , m_scene(scene)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges | ItemIsFocusable);
    setAcceptHoverEvents(true);
    setZValue(1);
    setCacheMode(DeviceCoordinateCache);
}

QRectF HostItem::nodeRect()
{
    const QSizeF size = AutoLayout::NodeSize;
    return QRectF(-size.width() / 2, -size.height() / 2, size.width(), size.height());
}

QRectF HostItem::handleRect()
{
    const QRectF node = nodeRect();
    return QRectF(node.right() - 7, -7, 14, 14);
}

QRectF HostItem::boundingRect() const
{
    return nodeRect().adjusted(-BadgeRadius, -BadgeRadius, BadgeRadius, BadgeRadius);
}

QPainterPath HostItem::shape() const
{
    QPainterPath path;
    path.addRoundedRect(nodeRect(), 8, 8);
    path.addEllipse(handleRect());
    return path;
}

void HostItem::sync(const Host &host)
{
    const QString detail = host.meshInterface().ip;
    const QString icon = HostPresets::iconNameFor(host);
    const QPointF position = host.position.value_or(pos());
    const QString os = host.isExternal() ? QCoreApplication::translate("HostItem", "external") : host.os;
    if (host.name != m_name || detail != m_detail || icon != m_icon || os != m_os || host.isExternal() != m_external) {
        m_name = host.name;
        m_detail = detail;
        m_icon = icon;
        m_os = os;
        m_external = host.isExternal();
        updateToolTip();
        update();
    }
    if (position != pos())
        setPos(position);
}

void HostItem::setFindings(const QList<Diagnostic> &findings)
{
    if (findings == m_findings)
        return;
    m_findings = findings;
    updateToolTip();
    update();
}

void HostItem::setLive(Reachability reachability, const QString &details)
{
    if (reachability == m_reachability && details == m_liveDetails)
        return;
    const bool redraw = reachability != m_reachability; // the details are the tooltip's
    m_reachability = reachability;
    m_liveDetails = details;
    updateToolTip();
    if (redraw)
        update();
}

void HostItem::updateToolTip()
{
    QStringList lines{QStringLiteral("<b>%1</b> — %2, %3").arg(m_name.toHtmlEscaped(), m_detail.toHtmlEscaped(), m_os.toHtmlEscaped())};
    if (m_external)
        lines.append(QCoreApplication::translate("HostItem", "Configured by its owner: Meshwright knows its public key only, never "
                                                             "deploys it and generates no config for it."));
    if (m_reachability != Reachability::Off)
        lines.append(m_liveDetails);
    for (const Diagnostic &finding : std::as_const(m_findings))
        lines.append(finding.toString().toHtmlEscaped());
    lines.append(QCoreApplication::translate("HostItem", "<i>Drag the + handle to another host to connect them.</i>"));
    setToolTip(lines.join(QStringLiteral("<br>")));
}

void HostItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const QPalette palette = m_scene->palette();
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QRectF node = nodeRect();
    const bool selected = option->state & QStyle::State_Selected;
    QPen border(selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Mid), selected ? 3 : 1.5);
    if (m_external)
        border.setStyle(Qt::DashLine); // not ours: its owner configures it
    if (lod < 0.3) {
        // Far out: a plain block is all that can be seen.
        painter->setPen(Qt::NoPen);
        painter->setBrush(selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Mid));
        painter->drawRect(node);
        return;
    }
    painter->setPen(border);
    painter->setBrush(m_external ? palette.color(QPalette::Window) : palette.color(QPalette::Base));
    painter->drawRoundedRect(node, 8, 8);

    const QRectF iconRect(node.left() + 10, -16, 32, 32);
    m_scene->iconRenderer(m_icon)->render(painter, iconRect);
    if (lod >= 0.5) {
        QFont font = painter->font();
        font.setBold(true);
        font.setPointSizeF(10);
        painter->setFont(font);
        painter->setPen(palette.color(QPalette::Text));
        const QRectF text(iconRect.right() + 8, node.top() + 8, node.right() - iconRect.right() - 22, 22);
        painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                          painter->fontMetrics().elidedText(m_name, Qt::ElideRight, int(text.width())));
        font.setBold(false);
        font.setPointSizeF(8.5);
        painter->setFont(font);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        const QRectF detail(text.left(), text.bottom(), text.width(), 20);
        const int osWidth = painter->fontMetrics().horizontalAdvance(m_os);
        const int addressWidth = painter->fontMetrics().horizontalAdvance(m_detail);
        painter->drawText(detail, Qt::AlignLeft | Qt::AlignVCenter,
                          painter->fontMetrics().elidedText(m_detail, Qt::ElideRight, int(detail.width())));
        if (addressWidth + osWidth + 12 < detail.width())
            painter->drawText(detail, Qt::AlignRight | Qt::AlignVCenter, m_os);
    }
    if (m_hovered || selected) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 1.5));
        painter->setBrush(m_handleHovered ? palette.color(QPalette::Highlight) : palette.color(QPalette::Base));
        painter->drawEllipse(handleRect());
        painter->setPen(QPen(m_handleHovered ? palette.color(QPalette::HighlightedText) : palette.color(QPalette::Highlight), 1.5));
        const QPointF c = handleRect().center();
        painter->drawLine(c - QPointF(3.5, 0), c + QPointF(3.5, 0));
        painter->drawLine(c - QPointF(0, 3.5), c + QPointF(0, 3.5));
    }
    if (m_reachability == Reachability::Reachable || m_reachability == Reachability::Unreachable) {
        // Top left: a green tick when the host answered its last poll, a red cross when not.
        const bool reachable = m_reachability == Reachability::Reachable;
        drawBadge(painter, QPointF(node.left() + 4, node.top() + 4), BadgeRadius, reachable ? StateColors::alive() : StateColors::error(),
                  reachable ? QStringLiteral("\u2713") : QStringLiteral("\u00d7"), palette);
    }
    if (needsAction(m_findings)) { // a note is in the tooltip alone
        drawBadge(painter, QPointF(node.right() - 4, node.top() + 4), BadgeRadius,
                  hasErrors(m_findings) ? StateColors::error() : StateColors::warning(), QStringLiteral("!"), palette);
    }
}

QVariant HostItem::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionHasChanged)
        m_scene->hostItemMoved(m_id);
    return QGraphicsItem::itemChange(change, value);
}

void HostItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && handleRect().contains(event->pos())) {
        m_scene->beginConnect(m_id, event->scenePos());
        event->accept();
        return;
    }
    QGraphicsItem::mousePressEvent(event);
}

void HostItem::hoverEnterEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = true;
    update();
    QGraphicsItem::hoverEnterEvent(event);
}

void HostItem::hoverMoveEvent(QGraphicsSceneHoverEvent *event)
{
    const bool onHandle = handleRect().contains(event->pos());
    if (onHandle != m_handleHovered) {
        m_handleHovered = onHandle;
        setCursor(onHandle ? Qt::CrossCursor : Qt::ArrowCursor);
        update();
    }
    QGraphicsItem::hoverMoveEvent(event);
}

void HostItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = false;
    m_handleHovered = false;
    update();
    QGraphicsItem::hoverLeaveEvent(event);
}
