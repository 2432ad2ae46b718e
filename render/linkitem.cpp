// A link on the canvas: a line between two hosts, styled by kind and state.
#include "linkitem.h"

#include "badge.h"
#include "statecolors.h"

#include <QCoreApplication>
#include <QPainter>
#include <QGraphicsScene>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace {

constexpr qreal PickWidth = 10;

QString tr(const char *text)
{
    return QCoreApplication::translate("LinkItem", text);
}

} // namespace

LinkItem::LinkItem(const MeshLink &link)
    : m_link(link)
{
    setFlags(ItemIsSelectable);
    setZValue(0);
}

void LinkItem::sync(const MeshLink &link)
{
    if (link == m_link)
        return;
    m_link = link;
    updateToolTip();
    update();
}

void LinkItem::setEnds(const QPointF &a, const QPointF &b)
{
    const QLineF line(a, b);
    if (line == m_line)
        return;
    prepareGeometryChange();
    m_line = line;
}

void LinkItem::setFindings(const QList<Diagnostic> &findings)
{
    if (findings == m_findings)
        return;
    m_findings = findings;
    updateToolTip();
    update();
}

void LinkItem::setNames(const QString &a, const QString &b)
{
    if (a == m_nameA && b == m_nameB)
        return;
    m_nameA = a;
    m_nameB = b;
    updateToolTip();
}

void LinkItem::setRelay(const QString &via, const QString &why)
{
    if (via == m_via && why == m_viaWhy)
        return;
    m_via = via;
    m_viaWhy = why;
    updateToolTip();
    update();
}

void LinkItem::setLiveState(std::optional<LinkState> state, const QString &details)
{
    if (state == m_live && details == m_liveDetails)
        return;
    // The details (ages, rates) change at every poll but only show in the tooltip: the
    // canvas is redrawn for a new state alone.
    const bool redraw = state != m_live;
    m_live = state;
    m_liveDetails = details;
    updateToolTip();
    if (redraw)
        update();
}

void LinkItem::setActiveExit(bool active)
{
    if (active == m_activeExit)
        return;
    m_activeExit = active;
    update();
}

void LinkItem::updateToolTip()
{
    QString kind;
    switch (m_link.kind) {
    case MeshLink::Kind::Mesh:
        kind = tr("mesh link");
        break;
    case MeshLink::Kind::Roaming:
        kind = tr("roaming client to gateway (mesh subnets)");
        break;
    case MeshLink::Kind::FullTunnel:
        kind = tr("roaming client to its exit (all traffic)");
        break;
    case MeshLink::Kind::StandbyExit:
        kind = tr("roaming client to a standby exit (its own addresses; the first exit carries all traffic)");
        break;
    }
    QStringList lines{QStringLiteral("<b>%1 — %2</b>: %3").arg(m_nameA.toHtmlEscaped(), m_nameB.toHtmlEscaped(), kind)};
    if (m_link.oneSided)
        lines.append(tr("Only one end has the other as peer: a broken half link."));
    if (!m_via.isEmpty())
        lines.append(tr("Relayed by <b>%1</b>: no direct path (%2). Each end has a tunnel to %1, which forwards "
                        "between them and sees their traffic decrypted.")
                         .arg(m_via.toHtmlEscaped(), m_viaWhy.toHtmlEscaped()));
    if (m_live)
        lines.append(m_liveDetails);
    for (const Diagnostic &finding : std::as_const(m_findings))
        lines.append(finding.toString().toHtmlEscaped());
    setToolTip(lines.join(QStringLiteral("<br>")));
}

QRectF LinkItem::boundingRect() const
{
    return QRectF(m_line.p1(), m_line.p2()).normalized().adjusted(-PickWidth, -PickWidth, PickWidth, PickWidth);
}

QPainterPath LinkItem::shape() const
{
    QPainterPath path(m_line.p1());
    path.lineTo(m_line.p2());
    QPainterPathStroker stroker;
    stroker.setWidth(PickWidth);
    return stroker.createStroke(path);
}

QPen LinkItem::penFor(MeshLink::Kind kind, bool oneSided, const QPalette &palette)
{
    if (oneSided)
        return QPen(StateColors::error(), 2.5, Qt::DotLine, Qt::RoundCap);
    switch (kind) {
    case MeshLink::Kind::Mesh: {
        // Text blended over the background, but opaque: translucent lines cost the raster
        // engine several times as much, and a full mesh has thousands.
        const QColor text = palette.color(QPalette::Text);
        const QColor window = palette.color(QPalette::Window);
        const auto mix = [](int a, int b) { return int(a * 0.45 + b * 0.55); };
        return QPen(QColor(mix(text.red(), window.red()), mix(text.green(), window.green()), mix(text.blue(), window.blue())), 1.5);
    }
    case MeshLink::Kind::Roaming:
        return QPen(StateColors::roaming(), 2, Qt::DashLine);
    case MeshLink::Kind::FullTunnel:
        return QPen(StateColors::fullTunnel(), 2.5, Qt::DashDotLine);
    case MeshLink::Kind::StandbyExit: // the exit's colour, thin and dotted: ready, not in use
        return QPen(StateColors::fullTunnel(), 1.5, Qt::DotLine);
    }
    return QPen();
}

QPen LinkItem::relayedPen(const QPalette &palette)
{
    QPen pen = penFor(MeshLink::Kind::Mesh, false, palette);
    pen.setStyle(Qt::DashLine);
    return pen;
}

QPen LinkItem::penFor(LinkState state, const QPalette &palette)
{
    switch (state) {
    case LinkState::Alive:
        return QPen(StateColors::alive(), 3, Qt::SolidLine, Qt::RoundCap);
    case LinkState::Idle: // thin and muted: nothing wrong, nothing moving
        return QPen(StateColors::idle(), 1.5, Qt::SolidLine, Qt::RoundCap);
    case LinkState::Down:
        return QPen(StateColors::error(), 3, Qt::DashLine, Qt::FlatCap);
    case LinkState::OneSided:
        return QPen(StateColors::oneSided(), 3, Qt::DashDotLine, Qt::FlatCap);
    case LinkState::Unknown:
        break;
    }
    // Unknown: thin and grey. Solid, like idle: dotted lines cost the raster engine many
    // times a solid one, and every link is unknown until the first answers arrive.
    return QPen(palette.color(QPalette::PlaceholderText), 1, Qt::SolidLine, Qt::RoundCap);
}

void LinkItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QPalette palette = scene()->palette();
    QPen pen = m_live ? penFor(*m_live, palette) : penFor(m_link.kind, m_link.oneSided, palette);
    if (!m_via.isEmpty() && !m_live && pen.style() == Qt::SolidLine) // through a relay: no tunnel of its own
        pen.setStyle(Qt::DashLine);
    if (option->state & QStyle::State_Selected) {
        pen.setColor(palette.color(QPalette::Highlight));
        pen.setWidthF(pen.widthF() + 2);
    } else if (needsAction(m_findings) && !m_live) {
        pen.setColor(hasErrors(m_findings) ? StateColors::error() : StateColors::warning());
    }
    if (lod < 0.3) {
        // Many edges far out: thin, plain and without antialiasing is all that shows.
        painter->setRenderHint(QPainter::Antialiasing, false);
        pen.setWidthF(0);
        pen.setStyle(Qt::SolidLine);
    } else if (pen.style() == Qt::SolidLine && pen.widthF() * lod < 1) {
        // Thinner than a pixel on screen: the one-pixel line looks the same, and the
        // raster engine draws it several times faster than a stroked outline.
        pen.setWidthF(0);
    }
    painter->setPen(pen);
    painter->drawLine(m_line);
    if (lod < 0.3)
        return;
    const QPointF centre = m_line.center();
    if (m_live == LinkState::Down || m_live == LinkState::OneSided)
        drawBadge(painter, centre, 8, penFor(*m_live, palette).color(),
                  m_live == LinkState::Down ? QStringLiteral("\u00d7") : QStringLiteral("\u21c4"), palette);
    else if (m_live && m_activeExit) // the exit a full-tunnel client uses now: out to the internet
        drawBadge(painter, centre, 8, StateColors::fullTunnel(), QStringLiteral("\u2197"), palette);
    else if (needsAction(m_findings) && !m_live)
        drawBadge(painter, centre, 8, hasErrors(m_findings) ? StateColors::error() : StateColors::warning(), QStringLiteral("!"), palette);
    else if (!m_via.isEmpty())
        drawLabel(painter, centre, pen.color(), tr("via %1").arg(m_via), palette);
}
