// The canvas widget: zoom with the wheel, pan with the middle button, a legend, Fit.
#include "topologyview.h"

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

void TopologyView::drawForeground(QPainter *painter, const QRectF &)
{
    // The legend, in the view's corner whatever the zoom.
    struct Entry
    {
        QString label;
        QPen pen;
    };
    const QPalette &pal = m_scene->palette();
    // With live status on, the link styles are the states.
    QList<Entry> entries;
    if (m_scene->isShowingLiveStatus()) {
        entries.append({tr("Alive (handshake < 180 s)"), LinkItem::penFor(LinkState::Alive, pal)});
        entries.append({tr("Idle (no keepalive, no traffic)"), LinkItem::penFor(LinkState::Idle, pal)});
        entries.append({tr("Down \u00d7"), LinkItem::penFor(LinkState::Down, pal)});
        entries.append({tr("One-sided \u21c4 (config mismatch)"), LinkItem::penFor(LinkState::OneSided, pal)});
        entries.append({tr("Unknown (no SSH to either end)"), LinkItem::penFor(LinkState::Unknown, pal)});
    } else {
        entries.append({tr("Mesh link"), LinkItem::penFor(MeshLink::Kind::Mesh, false, pal)});
        entries.append({tr("Roaming, mesh only"), LinkItem::penFor(MeshLink::Kind::Roaming, false, pal)});
        entries.append({tr("Roaming, all traffic"), LinkItem::penFor(MeshLink::Kind::FullTunnel, false, pal)});
        entries.append({tr("Broken half link"), LinkItem::penFor(MeshLink::Kind::Mesh, true, pal)});
    }
    painter->save();
    painter->resetTransform();
    painter->setRenderHint(QPainter::Antialiasing);
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    painter->setFont(font);
    const QFontMetrics metrics(font);
    const int lineHeight = metrics.height() + 4;
    int width = 0;
    for (const Entry &entry : entries)
        width = std::max(width, metrics.horizontalAdvance(entry.label));
    const QRect box(10, viewport()->height() - 10 - lineHeight * int(entries.size()) - 12, width + 64, lineHeight * int(entries.size()) + 12);
    QColor background = pal.color(QPalette::Base);
    background.setAlphaF(0.88f);
    painter->setPen(QPen(pal.color(QPalette::Mid), 1));
    painter->setBrush(background);
    painter->drawRoundedRect(box, 6, 6);
    int y = box.top() + 6 + lineHeight / 2;
    for (const Entry &entry : entries) {
        painter->setPen(entry.pen);
        painter->drawLine(box.left() + 10, y, box.left() + 44, y);
        painter->setPen(pal.color(QPalette::Text));
        painter->drawText(QRect(box.left() + 52, y - lineHeight / 2, width + 8, lineHeight), Qt::AlignVCenter, entry.label);
        y += lineHeight;
    }
    painter->restore();
}
