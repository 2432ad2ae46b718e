// The canvas widget: zoom with the wheel, pan with the middle button, a legend, Fit.
#include "topologyview.h"

#include "hostitem.h"
#include "linkitem.h"
#include "topologyscene.h"

#include <QApplication>
#include <QMouseEvent>
#include <QScrollBar>
#include <QWheelEvent>

#include <cmath>

namespace {

constexpr qreal MinZoom = 0.02;
constexpr qreal MaxZoom = 6;

} // namespace

TopologyView::TopologyView(TopologyScene *scene, QWidget *parent)
    : QGraphicsView(scene, parent)
    , m_scene(scene)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setDragMode(RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setTransformationAnchor(AnchorUnderMouse);
    setResizeAnchor(AnchorViewCenter);
    setViewportUpdateMode(SmartViewportUpdate);
    setOptimizationFlags(DontSavePainterState);
    setAcceptDrops(true);
    setBackgroundBrush(palette().color(QPalette::Window));
    setFocusPolicy(Qt::StrongFocus);
    setObjectName(QStringLiteral("topologyView"));
}

void TopologyView::zoomBy(qreal factor)
{
    const qreal target = std::clamp(zoom() * factor, MinZoom, MaxZoom);
    const qreal applied = target / zoom();
    if (!qFuzzyCompare(applied, 1.0))
        scale(applied, applied);
}

void TopologyView::zoomIn()
{
    zoomBy(1.25);
}

void TopologyView::zoomOut()
{
    zoomBy(1 / 1.25);
}

void TopologyView::fitAll()
{
    if (!isVisible()) {
        m_fitPending = true;
        return;
    }
    m_fitPending = false;
    const QRectF bounds = m_scene->itemsBoundingRect().adjusted(-40, -40, 40, 40);
    if (bounds.isEmpty())
        return;
    fitInView(bounds, Qt::KeepAspectRatio);
    if (zoom() > 1)
        setTransform(QTransform());
    else if (zoom() < MinZoom)
        setTransform(QTransform::fromScale(MinZoom, MinZoom));
}

void TopologyView::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    zoomBy(std::pow(1.0015, delta));
    event->accept();
}

void TopologyView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::MiddleButton) {
        m_panning = true;
        m_panStart = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void TopologyView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_panning) {
        const QPoint delta = event->position().toPoint() - m_panStart;
        m_panStart = event->position().toPoint();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void TopologyView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_panning && event->button() == Qt::MiddleButton) {
        m_panning = false;
        viewport()->unsetCursor();
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void TopologyView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_fitPending && isVisible())
        fitAll();
}

void TopologyView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        setBackgroundBrush(palette().color(QPalette::Window));
        m_scene->setPalette(palette());
        m_scene->update();
    }
    QGraphicsView::changeEvent(event);
}

QList<TopologyView::LegendEntry> TopologyView::legendEntries() const
{
    const QPalette &pal = m_scene->palette();
    // With live status on, the link styles are the states.
    if (m_scene->isShowingLiveStatus())
        return {{tr("Alive (handshake < 180 s)"), LinkItem::penFor(LinkState::Alive, pal)},
                {tr("Idle (no keepalive, no traffic)"), LinkItem::penFor(LinkState::Idle, pal)},
                {tr("Down \u00d7"), LinkItem::penFor(LinkState::Down, pal)},
                {tr("One-sided \u21c4 (config mismatch)"), LinkItem::penFor(LinkState::OneSided, pal)},
                {tr("Unknown (no SSH to either end)"), LinkItem::penFor(LinkState::Unknown, pal)}};
    return {{tr("Mesh link"), LinkItem::penFor(MeshLink::Kind::Mesh, false, pal)},
            {tr("Roaming, mesh only"), LinkItem::penFor(MeshLink::Kind::Roaming, false, pal)},
            {tr("Roaming, all traffic"), LinkItem::penFor(MeshLink::Kind::FullTunnel, false, pal)},
            {tr("Roaming, standby exit"), LinkItem::penFor(MeshLink::Kind::StandbyExit, false, pal)},
            {tr("Relayed (no direct path)"), LinkItem::relayedPen(pal)},
            {tr("Broken half link"), LinkItem::penFor(MeshLink::Kind::Mesh, true, pal)}};
}

QFont TopologyView::legendFont()
{
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    return font;
}

QRect TopologyView::legendRect() const
{
    const QList<LegendEntry> entries = legendEntries();
    const QFontMetrics metrics(legendFont());
    const int lineHeight = metrics.height() + 4;
    int width = 0;
    for (const LegendEntry &entry : entries)
        width = std::max(width, metrics.horizontalAdvance(entry.label));
    // In the corner that hides the fewest hosts (bottom left when that hides none).
    const QSize size(width + 64, lineHeight * int(entries.size()) + 12);
    const int right = viewport()->width() - 10 - size.width();
    const int bottom = viewport()->height() - 10 - size.height();
    QRect box;
    qsizetype fewest = -1;
    for (const QPoint corner : {QPoint(10, bottom), QPoint(right, bottom), QPoint(10, 10), QPoint(right, 10)}) {
        const QRect candidate(corner, size);
        const QList<QGraphicsItem *> under = items(candidate.adjusted(-6, -6, 6, 6));
        const qsizetype hosts = std::count_if(under.cbegin(), under.cend(), [](const QGraphicsItem *item) {
            return item->type() == HostItem::Type;
        });
        if (fewest < 0 || hosts < fewest) {
            fewest = hosts;
            box = candidate;
        }
        if (fewest == 0)
            break;
    }
    return box;
}

void TopologyView::drawBackground(QPainter *painter, const QRectF &rect)
{
    QGraphicsView::drawBackground(painter, rect);
    // The items draw next, with this painter's state (DontSavePainterState). The raster
    // engine draws thin lines several times faster inside a clip rectangle than under the
    // widget's own clip region, and far out a large mesh is thousands of long thin links.
    painter->setClipRect(rect, Qt::IntersectClip);
}

void TopologyView::drawForeground(QPainter *painter, const QRectF &)
{
    // The legend, in a corner of the view whatever the zoom.
    const QList<LegendEntry> entries = legendEntries();
    const QPalette &pal = m_scene->palette();
    const QRect box = legendRect();
    const QFont font = legendFont();
    const int lineHeight = QFontMetrics(font).height() + 4;
    painter->save();
    painter->resetTransform();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setFont(font);
    QColor background = pal.color(QPalette::Base);
    background.setAlphaF(0.88f);
    painter->setPen(QPen(pal.color(QPalette::Mid), 1));
    painter->setBrush(background);
    painter->drawRoundedRect(box, 6, 6);
    int y = box.top() + 6 + lineHeight / 2;
    for (const LegendEntry &entry : entries) {
        painter->setPen(entry.pen);
        painter->drawLine(box.left() + 10, y, box.left() + 44, y);
        painter->setPen(pal.color(QPalette::Text));
        painter->drawText(QRect(box.left() + 52, y - lineHeight / 2, box.width() - 56, lineHeight), Qt::AlignVCenter, entry.label);
        y += lineHeight;
    }
    painter->restore();
}
